#!/usr/bin/env python3
"""Seed fuzz corpora from ../shared/vectors when present (the vectors are never copied into the
repository; the seeds go to the build directory's working corpus)."""
import json, os, sys

def main(vectors, out):
    eth = os.path.join(vectors, "ethereum")
    if not os.path.isdir(eth):
        print("seed: no shared vectors at %s; using the committed seeds only" % vectors)
        return
    seeds = {"rlp": [], "hex": []}
    for name in ("rlptest.json", "invalidRLPTest.json"):
        for case in json.load(open(os.path.join(eth, name))).values():
            h = case["out"]
            seeds["hex"].append(h.encode())
            seeds["rlp"].append(bytes.fromhex(h[2:] if h.startswith("0x") else h))
    for target, items in seeds.items():
        d = os.path.join(out, target)
        os.makedirs(d, exist_ok=True)
        for i, b in enumerate(items):
            open(os.path.join(d, "vec-%03d" % i), "wb").write(b)
        print("seed: %d %s seeds from the shared vectors" % (len(items), target))

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
