/*
 * regtest_funds.h: coins we control on a bcoin regtest node, without a wallet: a key whose
 * output script is P2WSH(<pubkey> OP_CHECKSIG), a coinbase mined to it and matured, and a
 * funding transaction built and signed here (BIP 143) that pays any outputs from that coin.
 */
#ifndef QIAO_TEST_REGTEST_FUNDS_H
#define QIAO_TEST_REGTEST_FUNDS_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/bitcoin/btc_bech32.h"
#include "relay/core/crypto.h"
#include "tests/integration/bitcoin/bcoin_node.h"

/* A regtest P2PKH address (hash160 01..14) nobody needs the key of: where filler blocks go. */
#define REGTEST_BURN_ADDR "R9NXAVJezHiBnT3ijTpg3JUZre7PxhJWti"

/* bcoin's regtest bech32 prefix (Core's is "bcrt"): generatetoaddress accepts only this. */
#define BCOIN_REGTEST_HRP "rb"

struct regtest_key {
    uint8_t sk[32];
    uint8_t pub[33];
    uint8_t script[35]; /* <pub> OP_CHECKSIG */
    uint8_t spk[34];    /* P2WSH of script */
    char addr[QIAO_BTC_ADDR_MAX]; /* bech32 with bcoin's regtest prefix */
};

/** A spendable output of a regtest_key. */
struct regtest_coin {
    uint8_t txid[32];
    uint32_t vout;
    uint64_t value;
};

/** Derive a key from a one-byte seed (all 32 bytes = seed). */
void regtest_key_init(struct qiao_crypto *cx, struct regtest_key *k, uint8_t seed);

/*
 * bcoin's regtest, unlike Core's, activates segwit by BIP 9 signalling (active from height 432)
 * and CHECKLOCKTIMEVERIFY only at height 1351 (before that OP_CLTV is a NOP and a refund with a
 * low nLockTime would pass).  Tests mine to this height first.
 */
#define REGTEST_READY_HEIGHT 1360u

/**
 * Mine one block to k, then filler blocks up to REGTEST_READY_HEIGHT (segwit and CLTV active,
 * the coinbase mature).  0 on success.
 */
int regtest_coinbase(struct qiao_crypto *cx, struct bcoin_node *n, const struct regtest_key *k,
                     struct regtest_coin *coin);

/** One output to create. */
struct regtest_out {
    const uint8_t *spk;
    size_t spk_len;
    uint64_t value;
};

/**
 * Spend coin (owned by k) to outs plus change back to k, paying fee; broadcast it.
 * Out: txid, change (the change output, may be NULL).  0 on success.
 */
int regtest_fund(struct qiao_crypto *cx, struct bcoin_node *n, const struct regtest_key *k,
                 const struct regtest_coin *coin, const struct regtest_out *outs, size_t nouts,
                 uint64_t fee, uint8_t txid[32], struct regtest_coin *change);

/** The txids of the block's transactions, display order strings; returns how many (<= max). */
int regtest_block_txids(struct bcoin_node *n, const uint8_t block[32], char (*ids)[65], int max);

#endif
