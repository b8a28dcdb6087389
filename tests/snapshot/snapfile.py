#!/usr/bin/python3
"""snapfile.py: an independent reader and writer of truemem's snapshot file
format (include/snapfile.h), for the tests: it packs a snapshot directory
into a file of version 1 (members compressed by the zstd command, none
transformed; truemem keeps reading version 1), lists a file's members
(version 1 or 2), and damages one in a chosen way (rewriting version 1).

  snapfile.py pack DIR FILE          every file under DIR, as members
  snapfile.py list FILE              NAME DATA_OFFSET CSIZE USIZE per member
  snapfile.py drop FILE NAME OUT     OUT = FILE without member NAME
  snapfile.py usize FILE NAME N OUT  OUT = FILE with NAME's size set to N
                                     (its record check kept valid)
drop and usize rewrite version 1 files only (a transform would be lost).
"""
import os
import struct
import subprocess
import sys

MAGIC = b"TMSNAPF\n"
REC = b"TMMB"


def check(hdr24, name, ref=0):
    h = 2166136261
    for b in hdr24 + struct.pack("<I", ref) + name:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


def record(name, data, usize, ref=0):
    hdr = REC + struct.pack("<IQQ", len(name), len(data), usize)
    return hdr + struct.pack("<II", check(hdr, name, ref), ref) + name + data


def write(path, members, refs=None):
    """members: list of (name bytes, zstd frame bytes, usize); refs: name -> the name it refers to."""
    members = sorted(members)
    index = {m[0]: i for i, m in enumerate(members)}
    refs = refs or {}
    with open(path, "wb") as f:
        f.write(MAGIC + struct.pack("<II", 1, 0))
        for name, data, usize in members:
            ref = index[refs[name]] + 1 if name in refs else 0
            f.write(record(name, data, usize, ref))
        f.write(record(b"", b"", len(members)))


def read(path):
    """The members of a file of version 1 (32-byte record headers) or 2 (40 bytes: transform, 0)."""
    with open(path, "rb") as f:
        buf = f.read()
    assert buf[:8] == MAGIC
    version = struct.unpack_from("<I", buf, 8)[0]
    assert version in (1, 2)
    rec = 32 if version == 1 else 40
    off, out = 16, []
    while True:
        n, csize, usize = struct.unpack_from("<IQQ", buf, off + 4)
        ref = struct.unpack_from("<I", buf, off + 28)[0]
        if n == 0:
            return out
        name = buf[off + rec:off + rec + n]
        data_off = off + rec + n
        out.append((name, data_off, csize, usize, buf[data_off:data_off + csize], ref))
        off = data_off + csize


def rewrite(src, out, keep=lambda n: True, usize=lambda n, u: u):
    """Writes src's members again (those keep() accepts), their references by name."""
    with open(src, "rb") as f:
        assert struct.unpack_from("<I", f.read(12), 8)[0] == 1, "rewrite: version 1 files only"
    members = read(src)
    names = [m[0] for m in members]
    kept = [(m[0], m[4], usize(m[0], m[3])) for m in members if keep(m[0])]
    refs = {m[0]: names[m[5] - 1] for m in members if m[5] and keep(m[0]) and keep(names[m[5] - 1])}
    write(out, kept, refs)


def parent(procdir):
    """The ppid in procdir/ident, or None."""
    try:
        with open(os.path.join(procdir, "ident"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("ppid "):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def main(argv):
    cmd = argv[1]
    if cmd == "pack":
        members, refs = [], {}
        for root, _, files in os.walk(argv[2]):
            for fn in files:
                p = os.path.join(root, fn)
                name = os.path.relpath(p, argv[2]).encode()
                if name == b"truth.json":
                    continue
                args = ["zstd", "-q", "-c", "-1", "--check"]
                # A pagemap against its parent's, as truemem capture writes it.
                ppid = parent(os.path.dirname(p)) if fn == "pagemap" else None
                ref = os.path.join(argv[2], str(ppid), "pagemap") if ppid else None
                if ref and os.path.exists(ref):
                    args.append("--patch-from=" + ref)
                    refs[name] = os.path.relpath(ref, argv[2]).encode()
                data = subprocess.run(args + [p], check=True, stdout=subprocess.PIPE).stdout
                members.append((name, data, os.path.getsize(p)))
        write(argv[3], members, refs)
    elif cmd == "list":
        for name, off, csize, usize, _, ref in read(argv[2]):
            print(name.decode(), off, csize, usize, ref)
    elif cmd == "drop":
        rewrite(argv[2], argv[4], keep=lambda n: n != argv[3].encode())
    elif cmd == "usize":
        rewrite(argv[2], argv[5], usize=lambda n, u: int(argv[4]) if n == argv[3].encode() else u)
    else:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
