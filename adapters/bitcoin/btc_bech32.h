/*
 * btc_bech32.h: native segwit version 0 addresses (BIP 173 bech32) for P2WPKH and P2WSH.
 *
 * Human-readable parts: "bc" (main), "tb" (testnet), "bcrt" (regtest).  Encoding writes lower
 * case.  Decoding is strict: at most 90 characters, printable ASCII, no mixed case, the network's
 * own prefix, a valid bech32 checksum, witness version 0 only (later versions use BIP 350's
 * bech32m and are refused as unsupported), a 20- or 32-byte program, and zero padding of fewer
 * than 5 bits.  Pure: no heap.
 */
#ifndef QIAO_BTC_BECH32_H
#define QIAO_BTC_BECH32_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/bitcoin/btc_params.h"
#include "relay/core/diag.h"

/** Longest address BIP 173 allows, plus the terminator. */
#define QIAO_BTC_ADDR_MAX 91

/** The network's bech32 prefix ("bc", "tb", "bcrt"), or NULL for an unknown network. */
const char *qiao_btc_bech32_hrp(enum qiao_btc_network net);

/**
 * Encode a version 0 witness program as an address.
 * Returns: QIAO_OK, QIAO_EINVAL "unknown-network" / "bad-program-length".
 * Out: out (NUL-terminated, QIAO_BTC_ADDR_MAX bytes).  In: program of 20 or 32 bytes.
 */
qiao_err qiao_btc_address_encode(char out[QIAO_BTC_ADDR_MAX], enum qiao_btc_network net,
                                 const uint8_t *program, size_t program_len, struct qiao_diag *d);

/**
 * Encode under an explicit prefix: bcoin's regtest uses "rb" where Core uses "bcrt", so tools
 * talking to bcoin pass the node's own prefix.  Returns: as qiao_btc_address_encode, plus
 * QIAO_EINVAL "bad-hrp" (empty, above 10 characters, or not lower-case letters).
 */
qiao_err qiao_btc_address_encode_hrp(char out[QIAO_BTC_ADDR_MAX], const char *hrp,
                                     const uint8_t *program, size_t program_len,
                                     struct qiao_diag *d);

/**
 * Decode an address of network net into its version 0 witness program.
 * Returns: QIAO_OK, or QIAO_EINVAL "address-too-long", "bad-char", "mixed-case", "no-separator",
 *          "wrong-network", "bad-checksum", "bad-padding", "bad-program-length";
 *          QIAO_EUNSUPPORTED "unsupported-witness-version".
 * Out: program (32 bytes of storage), *program_len (20 or 32).  In: addr (NUL-terminated).
 */
qiao_err qiao_btc_address_decode(uint8_t program[32], size_t *program_len,
                                 enum qiao_btc_network net, const char *addr,
                                 struct qiao_diag *d);

#endif
