/* dmn_rotation.c: deterministic submitter rotation (dmn_rotation.h). */
#include "relay/daemon/dmn_rotation.h"

unsigned qiao_dmn_rotation_leader(const uint8_t id[32], unsigned n)
{
    uint64_t r = 0;
    for (int i = 0; i < 32; i++) /* Horner over bytes: r < n <= 2^32, so r * 256 + 255 fits */
        r = (r * 256 + id[i]) % n;
    return (unsigned)r;
}

unsigned qiao_dmn_rotation_distance(const uint8_t id[32], unsigned n, unsigned self)
{
    unsigned leader = qiao_dmn_rotation_leader(id, n);
    return (self + n - leader) % n;
}

int64_t qiao_dmn_rotation_due(const uint8_t id[32], unsigned n, unsigned self,
                              int64_t certified_at, uint32_t takeover_ms)
{
    return certified_at + (int64_t)qiao_dmn_rotation_distance(id, n, self) * takeover_ms;
}
