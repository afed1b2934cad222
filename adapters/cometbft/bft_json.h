/*
 * bft_json.h: strict decoding of CometBFT light blocks from JSON.
 *
 * The shape is CometBFT's own (what its RPC and tendermint-rs write):
 *   { "signed_header": { "header": {...}, "commit": {...} },
 *     "validator_set": { "validators": [...] }, "next_validator_set": { "validators": [...] } }
 * Integers that Go writes as strings (heights, versions, powers) are canonical decimal strings;
 * hashes and addresses are hex (either case, no "0x"); keys and signatures are strict base64;
 * times are exact RFC 3339 (bft_time.h).  BlockID's part-set header is read from "parts" (Go's
 * JSON name) or "part_set_header" (tendermint-rs's), never both.  Members not used by
 * verification ("proposer", "total_voting_power", "proposer_priority", "provider", ...) are
 * ignored: the voting-power total is always recomputed from the validators.
 *
 * Validator sets are checked (address derived from the key, power > 0, no duplicate address,
 * total power <= CometBFT's MaxTotalVotingPower) and sorted into CometBFT's canonical order
 * (power descending, then address ascending), which the validator-set hash and the commit's
 * signature order both follow.
 *
 * Ownership: arrays are allocated from the caller's arena; the decoded block borrows nothing from
 * the cJSON tree, which the caller may free at once.
 */
#ifndef QIAO_BFT_JSON_H
#define QIAO_BFT_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "adapters/cometbft/bft_types.h"
#include "relay/core/bytes.h"
#include "relay/core/crypto.h"
#include "relay/core/diag.h"

/** Arena bytes that always suffice for one light block at the caps in bft_types.h. */
#define QIAO_BFT_BLOCK_ARENA ((size_t)3 << 20)

/** Flags for qiao_bft_light_block_from_json. */
enum {
    /* A trusted block: "validator_set" and "signed_header.commit" may be absent or null. */
    QIAO_BFT_JSON_TRUSTED = 1u << 0,
};

/** Decode a header object.  Out: *out. */
qiao_err qiao_bft_header_from_json(struct qiao_bft_header *out, const cJSON *obj,
                                   struct qiao_diag *d);

/** Decode a commit object (signatures in the arena).  Out: *out. */
qiao_err qiao_bft_commit_from_json(struct qiao_bft_commit *out, const cJSON *obj,
                                   struct qiao_arena *arena, struct qiao_diag *d);

/** Decode, check and sort a validator array (the "validators" member's value).  Out: *out. */
qiao_err qiao_bft_validators_from_json(struct qiao_crypto *cx, struct qiao_bft_valset *out,
                                       const cJSON *array, struct qiao_arena *arena,
                                       struct qiao_diag *d);

/** Decode a light block object.  Out: *out.  In: flags (QIAO_BFT_JSON_*). */
qiao_err qiao_bft_light_block_from_json(struct qiao_crypto *cx, struct qiao_bft_light_block *out,
                                        const cJSON *obj, unsigned flags,
                                        struct qiao_arena *arena, struct qiao_diag *d);

/** Parse JSON text (qiao_json_parse caps) and decode it as a light block. */
qiao_err qiao_bft_light_block_parse(struct qiao_crypto *cx, struct qiao_bft_light_block *out,
                                    const char *text, size_t len, unsigned flags,
                                    struct qiao_arena *arena, struct qiao_diag *d);

#endif
