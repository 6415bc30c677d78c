"""Default settings. `instance/config.py`, then STORYBOARD_* environment variables, override them.

Every setting here is listed in the README's configuration table.
"""

# Database. None means "SQLite file in the instance folder", resolved by the app factory.
SQLALCHEMY_DATABASE_URI = None
SQLALCHEMY_ENGINE_OPTIONS: dict = {}

# Secret key. None means "read instance/secret_key, generating it on first start".
SECRET_KEY = None

# The address people reach Storyboard at, for links in emails.
EXTERNAL_URL = "http://127.0.0.1:5000"
COMPANY_NAME = "Northwind Outfitters"

# Mail. With no MAIL_SERVER, messages are written as .eml files to OUTBOX_DIR.
MAIL_SERVER = None
MAIL_PORT = 25
MAIL_USE_TLS = False  # STARTTLS after connecting
MAIL_USE_SSL = False  # implicit TLS (usually port 465)
MAIL_USERNAME = None
MAIL_PASSWORD = None
MAIL_TIMEOUT = 30
MAIL_DEFAULT_SENDER = "Storyboard <storyboard@localhost>"
OUTBOX_DIR = None  # None means instance/outbox

# Accounts.
INVITATION_MAX_AGE = 7 * 24 * 3600  # seconds an invitation link stays valid
PASSWORD_RESET_MAX_AGE = 3600
PASSWORD_MIN_LENGTH = 10
# Failed sign-ins. Counted per address and account, so nobody can lock someone else out from
# another machine; and per address across accounts, against one place trying many accounts.
LOGIN_RATE_LIMIT = "5 per minute;20 per hour"
LOGIN_RATE_LIMIT_PER_ADDRESS = "30 per minute;200 per hour"

# Sessions are rows on the server (auth/sessions.py); signing out deletes the row.
SESSION_IDLE_TIMEOUT = 2 * 3600  # seconds without a request before a sign-in ends
SESSION_LIFETIME = 12 * 3600  # a sign-in ends this long after it began, however busy
REMEMBERED_SESSION_IDLE_TIMEOUT = 14 * 24 * 3600  # "Keep me signed in": idle for up to 14 days
SESSION_TOUCH_SECONDS = 60  # how often a busy session's idle clock is written to the database

# Rate-limit storage; "memory://" per process, a redis:// URL to share between workers.
RATELIMIT_STORAGE_URI = "memory://"

# Pages.
FEED_PAGE_SIZE = 20
QUEUE_PAGE_SIZE = 25  # stories per page of each review queue tab, and the most moved at once
# Whether the queue's old drafts tab shows titles and writers (else only counts); admins can
# change it on that tab (stored in the database, this is the default).
QUEUE_SHOW_DRAFT_TITLES = False
DIRECTORY_PAGE_SIZE = 50
NOMINEE_SEARCH_LIMIT = 10
SEARCH_CANDIDATES = 200  # the newest matches of a search that are ranked and paged through

# Session cookies. Set both *_SECURE to True behind HTTPS.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = False
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_SECURE = False
REMEMBER_COOKIE_DURATION = 30 * 24 * 3600  # "Keep me signed in" lasts 30 days at most
# Sent over HTTPS only: browsers then refuse plain HTTP to this host for a year.
HSTS_SECONDS = 365 * 24 * 3600

# Requests larger than this are refused (413) before they are read: a story is at most about
# 30 KB of form data; the limit leaves room for every form with a wide margin.
MAX_CONTENT_LENGTH = 1024 * 1024

# A form's CSRF token lives as long as the session, so a story that took an hour to write is
# not refused (and lost) when it is finally sent.
WTF_CSRF_TIME_LIMIT = None

# Behind a reverse proxy, how many proxies set X-Forwarded-For; 0 trusts none. The login
# throttle counts by client address, so set this or every user shares the proxy's address.
PROXY_FIX_X_FOR = 0

# The digest: one issue per period for everyone, cut at this local day and time.
DIGEST_CUT_DAY = "monday"
DIGEST_CUT_TIME = "07:00"
DIGEST_TIMEZONE = "Europe/London"
DIGEST_NEW_COUNT = 3  # this week's stories told in full
DIGEST_ALSO_NEW_MAX = 5  # more new stories, titles only
DIGEST_WINDOW_DAYS = 7  # published in the week...
DIGEST_WINDOW_LAG_HOURS = 24  # ...ending this long before the cut, so stories gather readers
DIGEST_CANON_COUNT = 2  # classics from the canon per issue
# How far the canon section grows when more classics are due than DIGEST_CANON_COUNT.
DIGEST_CANON_MAX = 5
DIGEST_CANON_MIN_AGE_DAYS = 28
DIGEST_LADDER_WEEKS = [4, 8, 16, 26]  # weeks between a canon story's showings, then...
DIGEST_LADDER_CAP_WEEKS = 52  # ...once a year
DIGEST_ANNIVERSARY_DAYS = 3  # "on this day": anniversaries within this many days come first
DIGEST_MAX_PER_HONOREE = 1
DIGEST_MAX_PER_DEPARTMENT = 2
DIGEST_UNSUBSCRIBE_RATE_LIMIT = "30 per minute"  # one-click unsubscribe POSTs per address

# Sending the digest (`flask digest tick`): exactly once per person and issue.
DIGEST_BATCH_SIZE = 250  # deliveries a sender claims at once and sends over one SMTP connection
DIGEST_CLAIM_LEASE_SECONDS = 600  # a claim not recorded by then is picked up again (a crash)
# PostgreSQL: wait for the disk on each result's commit. Off, a crash of the database server (not
# of a sender) can lose the last moment of results; those messages go again, same Message-ID.
DIGEST_RESULT_SYNCHRONOUS_COMMIT = False
DIGEST_MAX_ATTEMPTS = 6  # temporary failures (4xx, timeouts) are retried up to this many tries
DIGEST_RETRY_BASE_SECONDS = 300  # the first retry waits about this long, then it doubles
DIGEST_RETRY_MAX_SECONDS = 6 * 3600
DIGEST_STALE_HOURS = 72  # deliveries still unsent this long after the cut are given up
DIGEST_BOUNCE_LIMIT = 3  # people with this many hard bounces get no more issues
DIGEST_TICK_INTERVAL_SECONDS = 300  # how often `flask digest scheduler` runs a tick
DIGEST_QUEUE = "storyboard-digest"  # the RQ queue batches go to when REDIS_URL is set

# JSON API
# Requests per personal access token (every endpoint under /api/v1 counts); over it, 429 with
# Retry-After. Shared between workers through RATELIMIT_STORAGE_URI (Redis when REDIS_URL is set).
API_RATE_LIMIT = "120 per minute"
API_PAGE_SIZE = 50  # items per page of a list, unless the client asks for fewer (`limit`)
API_MAX_PAGE_SIZE = 100
API_TOKEN_LAST_USED_SECONDS = 60  # how often a busy token's "last used" is written
API_TOKEN_MAX_PER_PERSON = 20  # live (not revoked) tokens one person may hold

# Single sign-on
# OpenID Connect providers, each a dict: "name" (in the redirect URI /auth/sso/<name>/callback),
# "label" (the button says "Sign in with <label>"), "issuer" (discovered at
# <issuer>/.well-known/openid-configuration) or "metadata_url", "client_id", "client_secret",
# optionally "allowed_domains" (email domains whose unknown people are created as staff at their
# first sign-in, when the provider says the email is verified), "trust_email" (match existing
# people by an email the provider does not mark verified: single-tenant Entra ID) and "scope".
OIDC_PROVIDERS: list = []
OIDC_TIMEOUT = 10  # seconds to wait for a provider's discovery, keys and token endpoints
OIDC_LEEWAY = 60  # seconds of clock difference allowed when checking an ID token's times
# "everyone" signs in with a password as before; "break_glass": only the admins listed in
# BREAK_GLASS_EMAILS may (for when the provider is down); everyone else uses single sign-on.
PASSWORD_SIGN_IN = "everyone"  # nosec B105 - Bandit checked: a policy name, not a password
BREAK_GLASS_EMAILS: list = []

# Chat
# Outgoing webhooks (admins add them at /admin/webhooks): each event is posted once per webhook
# after its change commits, through RQ (CHAT_QUEUE) with REDIS_URL set, else by `flask chat deliver`.
CHAT_WEBHOOK_TIMEOUT_SECONDS = 5  # connect and read timeouts of one post
CHAT_MAX_ATTEMPTS = 6  # tries of one delivery before it is given up
CHAT_RETRY_BASE_SECONDS = 30  # the first retry waits this long, then it doubles...
CHAT_RETRY_MAX_SECONDS = 3600  # ...up to this
CHAT_DISABLE_AFTER_FAILURES = 8  # failed posts in a row that disable a webhook until an admin re-enables it
CHAT_QUEUE = "storyboard-chat"
# The Slack app's signing secret (Basic Information > App Credentials); None turns the slash
# command off (every request is refused with 401).
SLACK_SIGNING_SECRET = None
SLACK_LINK_MAX_AGE = 30 * 60  # seconds a "link your Slack account" link stays valid
# Webhooks may only post to public internet addresses: loopback, private (10/8, 172.16/12,
# 192.168/16, fc00::/7), link-local (169.254/16, where cloud metadata lives; fe80::/10) and
# other internal addresses are refused, on the form and again before every post. True allows
# them, for a receiver on your own network.
CHAT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
# (A post is cut off after 2 x CHAT_WEBHOOK_TIMEOUT_SECONDS in all, however slowly its receiver answers.)

# Feeds
# Atom feeds of published stories, opened with a personal feed token in the URL (/feeds).
# There is no public feed: every Storyboard is private, and a feed reads like a signed-in page.
FEED_ENTRIES = 50  # the newest published stories in each feed

# HR system sync
# SCIM 2.0 at /scim/v2 (README "Integrations"): the HR system's bearer token, at least 32
# characters (e.g. `python -c "import secrets; print(secrets.token_urlsafe(32))"`). Unset, or
# shorter, and /scim/v2 answers 404 to everyone: provisioning is off.
SCIM_BEARER_TOKEN = None
SCIM_CLIENT_NAME = "HR system"  # who the audit log says made SCIM's changes
SCIM_INVITE_NEW_PEOPLE = False  # email an invitation to each person SCIM creates (not with SSO)
SCIM_MAX_RESULTS = 200  # a Users list's page size at most (SCIM `count`)
# The people import page (/people/import): the largest CSV an admin may upload.
PEOPLE_IMPORT_MAX_BYTES = 2 * 1024 * 1024

# Rendered story cards (storyboard/fragments.py), kept under keys made of what they show, so
# nothing is invalidated by hand. Without REDIS_URL each worker keeps up to CACHE_THRESHOLD
# cards in memory; with it, the cards live in Redis for every worker and host, for a day
# after they were last rendered.
CACHE_TYPE = "storyboard.fragments.CardLRUCache"
CACHE_THRESHOLD = 10_000
CACHE_DEFAULT_TIMEOUT = 24 * 60 * 60
CACHE_KEY_PREFIX = "storyboard:fragment:"

# Static files and compression (storyboard/assets.py, storyboard/compression.py)
# Static files are named by a hash of their content (/static/css/storyboard.<hash>.css) and cached
# by browsers for a year; off in debug mode (`flask --debug run`), so edited files show at once.
STATIC_FINGERPRINTS = True
# Responses compressed with zstd, Brotli or gzip by Flask-Compress (any COMPRESS_* setting of
# Flask-Compress applies); False when a proxy in front compresses instead.
COMPRESS_RESPONSES = True
COMPRESS_MIN_SIZE = 1024  # bytes; smaller bodies are sent as they are
COMPRESS_MIMETYPES = [
    "text/html", "text/css", "text/javascript", "application/javascript", "image/svg+xml",
    "application/json", "application/scim+json", "application/atom+xml",
]
