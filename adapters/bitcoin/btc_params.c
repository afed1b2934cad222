/* btc_params.c: main, testnet3 and regtest consensus parameters (see btc_params.h). */
#include "adapters/bitcoin/btc_params.h"

#include <string.h>

#define LIMIT_2_224 {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, \
                      0xffffffff, 0x00000000}}
#define LIMIT_2_255 {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, \
                      0xffffffff, 0x7fffffff}}

static const struct qiao_btc_params networks[] = {
    [QIAO_BTC_MAIN] = {
        .net = QIAO_BTC_MAIN, .name = "main", .pow_limit = LIMIT_2_224,
        .pow_limit_bits = 0x1d00ffff, .target_spacing = 600, .target_timespan = 1209600,
        .bip34_height = 227931, .bip66_height = 363725, .bip65_height = 388381,
        .genesis = {0x6f, 0xe2, 0x8c, 0x0a, 0xb6, 0xf1, 0xb3, 0x72, 0xc1, 0xa6, 0xa2, 0x46, 0xae,
                    0x63, 0xf7, 0x4f, 0x93, 0x1e, 0x83, 0x65, 0xe1, 0x5a, 0x08, 0x9c, 0x68, 0xd6,
                    0x19, 0x00, 0x00, 0x00, 0x00, 0x00},
    },
    [QIAO_BTC_TESTNET] = {
        .net = QIAO_BTC_TESTNET, .name = "testnet", .pow_limit = LIMIT_2_224,
        .pow_limit_bits = 0x1d00ffff, .target_spacing = 600, .target_timespan = 1209600,
        .allow_min_difficulty = 1,
        .bip34_height = 21111, .bip66_height = 330776, .bip65_height = 581885,
        .genesis = {0x43, 0x49, 0x7f, 0xd7, 0xf8, 0x26, 0x95, 0x71, 0x08, 0xf4, 0xa3, 0x0f, 0xd9,
                    0xce, 0xc3, 0xae, 0xba, 0x79, 0x97, 0x20, 0x84, 0xe9, 0x0e, 0xad, 0x01, 0xea,
                    0x33, 0x09, 0x00, 0x00, 0x00, 0x00},
    },
    [QIAO_BTC_REGTEST] = {
        .net = QIAO_BTC_REGTEST, .name = "regtest", .pow_limit = LIMIT_2_255,
        .pow_limit_bits = 0x207fffff, .target_spacing = 600, .target_timespan = 1209600,
        .allow_min_difficulty = 1, .no_retargeting = 1,
        /* Core's regtest activates all three at height 1. */
        .bip34_height = 1, .bip66_height = 1, .bip65_height = 1,
        .genesis = {0x06, 0x22, 0x6e, 0x46, 0x11, 0x1a, 0x0b, 0x59, 0xca, 0xaf, 0x12, 0x60, 0x43,
                    0xeb, 0x5b, 0xbf, 0x28, 0xc3, 0x4f, 0x3a, 0x5e, 0x33, 0x2a, 0x1f, 0xc7, 0xb2,
                    0xb7, 0x3c, 0xf1, 0x88, 0x91, 0x0f},
    },
};

const struct qiao_btc_params *qiao_btc_params_get(enum qiao_btc_network net)
{
    if ((unsigned)net >= sizeof(networks) / sizeof(networks[0]))
        return NULL;
    return &networks[net];
}

qiao_err qiao_btc_params_by_name(const struct qiao_btc_params **out, const char *name,
                                 struct qiao_diag *d)
{
    if (!strcmp(name, "main") || !strcmp(name, "mainnet"))
        *out = &networks[QIAO_BTC_MAIN];
    else if (!strcmp(name, "testnet") || !strcmp(name, "testnet3"))
        *out = &networks[QIAO_BTC_TESTNET];
    else if (!strcmp(name, "regtest"))
        *out = &networks[QIAO_BTC_REGTEST];
    else
        return QIAO_FAIL(d, QIAO_EINVAL, "unknown-network",
                         "network \"%.40s\" is not one of main, testnet, regtest", name);
    return QIAO_OK;
}
