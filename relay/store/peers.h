/*
 * peers.h: the other notaries as this one last saw them, persisted so that `status` and the mesh's
 * reconnect logic survive a restart.  Up/down changes append an audit row naming the peer.
 *
 * Ownership: strings in a row passed to a callback are borrowed for the callback.
 */
#ifndef QIAO_STORE_PEERS_H
#define QIAO_STORE_PEERS_H

#include <stdint.h>

#include "relay/core/diag.h"
#include "relay/store/store.h"

#define QIAO_STORE_PEER_ID_MAX 64
#define QIAO_STORE_PEER_URL_MAX 256

struct qiao_store_peer {
    const char *id;
    uint8_t address[20];
    const char *url;
    int up;
    uint32_t failures; /* consecutive failed connection attempts */
    int64_t last_seen; /* Unix ms of the last authenticated frame; 0 = never */
};

typedef int (*qiao_store_peer_fn)(void *ctx, const struct qiao_store_peer *p);

/** Insert or update a peer's address and URL (up/failures are kept).  "bad-peer" on empty or
 *  over-long id/url. */
qiao_err qiao_store_peer_put(struct qiao_store *s, const char *id, const uint8_t address[20],
                             const char *url, struct qiao_diag *d);
/** Record the peer up (failures reset, last_seen = now) or down (failures + 1).  An audit row is
 *  written when `up` changes.  ENOTFOUND "no-such-peer". */
qiao_err qiao_store_peer_set_up(struct qiao_store *s, const char *id, int up, struct qiao_diag *d);
/** Every peer, ordered by id. */
qiao_err qiao_store_peer_list(struct qiao_store *s, qiao_store_peer_fn fn, void *ctx,
                              struct qiao_diag *d);

#endif
