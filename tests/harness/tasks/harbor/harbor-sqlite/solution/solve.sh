#!/bin/bash
python3 -c "
import sqlite3
db = sqlite3.connect('/app/shop.db')
db.execute('CREATE TABLE items(name TEXT, price REAL)')
db.executemany('INSERT INTO items VALUES (?, ?)', [('pen', 1.5), ('book', 12.0)])
db.commit()
"
