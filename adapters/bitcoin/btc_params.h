/*
 * btc_params.h: consensus parameters of the Bitcoin networks Qiao follows (main, testnet3,
 * regtest), the subset of Core's Consensus::Params that header verification reads.
 *
 * The tables are const and static (read-only data, not mutable globals); callers borrow them.
 */
#ifndef QIAO_BTC_PARAMS_H
#define QIAO_BTC_PARAMS_H

#include <stdint.h>

#include "adapters/bitcoin/btc_u256.h"
#include "relay/core/diag.h"

enum qiao_btc_network {
    QIAO_BTC_MAIN = 0,
    QIAO_BTC_TESTNET = 1,
    QIAO_BTC_REGTEST = 2,
};

#define QIAO_BTC_RETARGET_INTERVAL 2016u
#define QIAO_BTC_MTP_SPAN 11u
#define QIAO_BTC_MAX_FUTURE_SECONDS 7200
#define QIAO_BTC_DEFAULT_CONFIRMATIONS 6u

struct qiao_btc_params {
    enum qiao_btc_network net;
    const char *name;              /* "main", "testnet", "regtest" */
    struct qiao_btc_u256 pow_limit; /* highest permitted target */
    uint32_t pow_limit_bits;       /* pow_limit.GetCompact(), the min-difficulty nBits */
    uint32_t target_spacing;       /* seconds per block: 600 */
    uint32_t target_timespan;      /* seconds per retarget period: 1,209,600 (two weeks) */
    int allow_min_difficulty;      /* testnet's 20-minute rule (fPowAllowMinDifficultyBlocks) */
    int no_retargeting;            /* regtest: nBits never change (fPowNoRetargeting) */
    uint8_t genesis[32];           /* genesis block hash, internal byte order */
    uint32_t bip34_height;         /* from here on a header's version must be >= 2 */
    uint32_t bip66_height;         /* ... >= 3 */
    uint32_t bip65_height;         /* ... >= 4 */
};

/** Returns: the network's parameters (static storage), or NULL for an unknown enum value. */
const struct qiao_btc_params *qiao_btc_params_get(enum qiao_btc_network net);

/**
 * Look up parameters by name ("main"/"mainnet", "testnet"/"testnet3", "regtest").
 * Returns: QIAO_OK, or QIAO_EINVAL ("unknown-network").  Out: *out (static storage).
 */
qiao_err qiao_btc_params_by_name(const struct qiao_btc_params **out, const char *name,
                                 struct qiao_diag *d);

#endif
