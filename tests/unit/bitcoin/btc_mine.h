/*
 * btc_mine.h: test helper that mines real regtest headers (target 2^255: about two tries each),
 * so contextual rules can be exercised on headers whose proof of work is genuinely valid.
 */
#ifndef QIAO_TEST_BTC_MINE_H
#define QIAO_TEST_BTC_MINE_H

#include <stdint.h>

#include "adapters/bitcoin/btc_chain.h"

/** Fill raw with a child of parent at time t with nBits bits, mined against its own target
 *  (give bits with an easy target).  tag varies the Merkle root so siblings differ. */
void btc_mine_child(struct qiao_crypto *cx, uint8_t raw[80], const struct qiao_btc_link *parent,
                    uint32_t t, uint32_t bits, uint32_t version, uint32_t tag);

/** The regtest genesis header (80 bytes). */
extern const uint8_t btc_regtest_genesis[80];

#endif
