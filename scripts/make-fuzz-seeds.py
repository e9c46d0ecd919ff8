#!/usr/bin/env python3
"""Writes the small seed corpora under fuzz/corpus/ (run once; the seeds are committed)."""
import gzip, io, os, zipfile, zlib

ROOT = os.path.join(os.path.dirname(__file__), "..", "fuzz", "corpus")
TEXT = (b"mail alice@example.org, see https://www.example.com/a?b=1 host files.example.de "
        b"ip 192.168.1.10 and 2001:db8::1 call +44 20 7946 0958 card 4111 1111 1111 1111 "
        b"iban DE89 3704 0044 0532 0130 00 btc 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa "
        b"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed "
        b"xmr 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A "
        b"onion pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion secret inv-1234\n")

def zipped(name, data, method):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        z.writestr(name, data)
    return buf.getvalue()

def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

wide = TEXT.decode().encode("utf-16-le")
gz = gzip.compress(TEXT, mtime=0)
zl = zlib.compress(TEXT)
zd = zipped("a.txt", TEXT, zipfile.ZIP_DEFLATED)
zs = zipped("a.gz", gz, zipfile.ZIP_STORED)
write("scan_fuzz", "text", TEXT)
write("scan_fuzz", "utf16", wide)
write("scan_fuzz", "gzip", b"\0" * 64 + gz + b"\0" * 64)
write("scan_fuzz", "zlib", b"\1" * 64 + zl + b"\1" * 64)
write("scan_fuzz", "zip-deflated", zd)
write("scan_fuzz", "zip-stored-gzip", zs)
write("scan_fuzz", "nested", gzip.compress(zs + gzip.compress(wide, mtime=0), mtime=0))
write("inflate_fuzz", "gzip", b"\0" + gz)
write("inflate_fuzz", "zlib", b"\1" + zl)
write("inflate_fuzz", "zip-deflated", b"\2" + zd)
write("inflate_fuzz", "zip-stored", b"\2" + zs)
write("inflate_fuzz", "gzip-truncated", b"\0" + gz[: len(gz) // 2])
for i, word in enumerate(TEXT.split()):
    write("validate_fuzz", "w%02d" % i, word)
write("validate_fuzz", "keywords", b"# c\nliteral\n/re[0-9]+/i\n\\#x\n")
