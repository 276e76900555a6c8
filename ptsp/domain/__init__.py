"""Pure domain rules: plain values only, no Flask, SQLAlchemy, printers or sockets."""
