import sqlite3


def test_rows() -> None:
    rows = (
        sqlite3.connect("/app/shop.db")
        .execute("SELECT name, price FROM items ORDER BY price")
        .fetchall()
    )
    assert rows == [("pen", 1.5), ("book", 12.0)]
