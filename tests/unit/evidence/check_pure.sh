#!/bin/sh
# check_pure.sh BINARY: the offline verifier must contain the evidence verifier and no
# libwebsockets or SQLite code, neither linked statically (symbols) nor dynamically (ldd).
bin="$1"
nm "$bin" | grep -q ' T qiao_ev_verify$' || { echo "FAIL: $bin lacks qiao_ev_verify (nm broken?)"; exit 1; }
if nm "$bin" | grep -E ' [TtUu] (lws_|sqlite3_)'; then
    echo "FAIL: $bin references libwebsockets or SQLite symbols (above)"; exit 1
fi
if ldd "$bin" | grep -E 'libwebsockets|libsqlite3|libuv|libev'; then
    echo "FAIL: $bin loads an I/O library (above)"; exit 1
fi
echo "1 passed, 0 failed: $bin links only pure verification code"
