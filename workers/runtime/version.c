/* version.c — collects the version strings each stage reports. */
#include "workers/runtime/version.h"

#include "pipeline/image/clean.h"
#include "pipeline/image/imageio.h"
#include "pipeline/image/ocr.h"

void sohoa_versions(const char **out, size_t n)
{
    const char *all[] = {SOHOA_PRODUCER, sohoa_ocr_version(), sohoa_clean_version(),
                         sohoa_imageio_version()};
    size_t k = 0;
    for (; k + 1 < n && k < sizeof all / sizeof all[0]; k++)
        out[k] = all[k];
    if (n)
        out[k] = NULL;
}
