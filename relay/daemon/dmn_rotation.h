/*
 * dmn_rotation.h: who submits a certified message, and when the others take over.
 *
 * Every notary computes the same answer from public data, so no coordination is needed: the
 * leader is member index (message id mod n) over the members sorted ascending; a notary at
 * distance d after the leader (d = (self - leader) mod n) submits once d × takeover has passed
 * since it saw the message certified, unless the message was delivered meanwhile.  Duplicate
 * submissions are harmless (the Inbox rejects replays); the rotation only keeps them rare.
 *
 * Pure: no I/O, no globals.
 */
#ifndef QIAO_DAEMON_ROTATION_H
#define QIAO_DAEMON_ROTATION_H

#include <stddef.h>
#include <stdint.h>

/** The leader's member index: the 256-bit big-endian id modulo n (n >= 1). */
unsigned qiao_dmn_rotation_leader(const uint8_t id[32], unsigned n);

/** Distance of member self after the leader, in [0, n). */
unsigned qiao_dmn_rotation_distance(const uint8_t id[32], unsigned n, unsigned self);

/** Unix ms at which member self should submit: certified_at + distance × takeover_ms. */
int64_t qiao_dmn_rotation_due(const uint8_t id[32], unsigned n, unsigned self,
                              int64_t certified_at, uint32_t takeover_ms);

#endif
