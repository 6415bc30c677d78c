"""Photos on stories: upload (cleaned by Pillow), storage beside the database, serving."""
