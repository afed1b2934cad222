/*
 * bft_vote.h: the bytes a CometBFT validator signs for a precommit: the length-prefixed protobuf
 * CanonicalVote
 *
 *   { type = 1 (PRECOMMIT = 2), height = 2 (sfixed64), round = 3 (sfixed64),
 *     block_id = 4 (CanonicalBlockID {hash = 1, part_set_header = 2 {total = 1, hash = 2}},
 *                   omitted for a nil vote), timestamp = 5 (always present), chain_id = 6 }
 *
 * preceded by its length as a varint (Go's protoio.MarshalDelimited).  Under amino (Tendermint
 * <= v0.33, see bft_types.h) the layout is the same except that the part-set header is
 * {hash = 1, total = 2} and empty sub-messages (part-set header, zero time) are omitted.
 * Pure, caller storage.
 */
#ifndef QIAO_BFT_VOTE_H
#define QIAO_BFT_VOTE_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/cometbft/bft_types.h"
#include "relay/core/diag.h"

/* Ample for the largest vote: 50-byte chain id, two 64-byte hashes, tags and lengths. */
#define QIAO_BFT_SIGN_BYTES_MAX 320

/**
 * Sign-bytes of commit signature `sig` (flag COMMIT or NIL) in commit c of chain chain_id, in
 * encoding enc (the block's: qiao_bft_encoding_of its header).
 * Out: out (QIAO_BFT_SIGN_BYTES_MAX bytes), *len.
 * Returns: QIAO_OK, QIAO_EINVAL ("absent-vote") for an absent signature, QIAO_ERANGE on overflow.
 */
qiao_err qiao_bft_vote_sign_bytes(uint8_t *out, size_t *len, enum qiao_bft_encoding enc,
                                  const char *chain_id, size_t chain_id_len,
                                  const struct qiao_bft_commit *c,
                                  const struct qiao_bft_commit_sig *sig, struct qiao_diag *d);

#endif
