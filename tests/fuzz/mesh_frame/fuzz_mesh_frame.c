/* fuzz_mesh_frame.c: libFuzzer target for peer frames.  Property: an accepted frame rebuilds to
 * text that parses back to the identical frame. */
#include <stdlib.h>
#include <string.h>

#include "relay/mesh/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct qiao_mesh_frame f, back;
    if (qiao_mesh_frame_parse(&f, (const char *)data, size, 0, NULL) != QIAO_OK)
        return 0;
    struct qiao_buf b = {0};
    if (qiao_mesh_frame_build(&b, &f, NULL) != QIAO_OK ||
        qiao_mesh_frame_parse(&back, (const char *)b.p, b.len, 0, NULL) != QIAO_OK ||
        memcmp(&f, &back, sizeof(f)) != 0)
        abort();
    qiao_buf_clear(&b);
    return 0;
}
