# skitaid.py
import os

import dumbseek

import skitai

if __name__ == '__main__':
    # Option I: documents in SQLite through the @dumbseek alias (DUMBSEEK_DB names
    # a file; the default is an in-memory database of the worker)
    skitai.alias ('@dumbseek', skitai.DB_SQLITE3, os.environ.get ('DUMBSEEK_DB', ':memory:'))
    with skitai.preference () as pref:
        skitai.mount ('/', dumbseek, pref)
    skitai.run (port = 5000, name = 'dumbseek')
