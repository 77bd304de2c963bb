/* test_barcode.c — QR codes read from a page image (zbar) and the CCCD payload parsed from them.
 *
 * tests/data/extract/cccd_qr.png holds a fictional CCCD payload (how it was made:
 * tests/data/extract/README.md). The image is decoded with imageio like any scan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pipeline/barcode.h"
#include "pipeline/cccd_qr.h"
#include "pipeline/imageio.h"

#define QR_PNG SOHOA_TEST_DATA "/extract/cccd_qr.png"

static void test_qr_png(void **state)
{
    (void)state;
    struct sohoa_image img = {0};
    struct sohoa_barcodes bc = {0};
    struct sohoa_err err;
    struct sohoa_cccd_qr q;
    assert_int_equal(sohoa_imageio_init(&err), 0);
    assert_int_equal(sohoa_imageio_decode_page(QR_PNG, SOHOA_FORMAT_UNKNOWN, 0, NULL, &img, &err),
                     0);
    assert_int_equal(sohoa_barcode_scan(&img, &bc, &err), 0);
    assert_int_equal(bc.n, 1);
    assert_non_null(strstr(bc.items[0].symbology, "QR"));
    assert_true(bc.items[0].box[2] > bc.items[0].box[0]);
    assert_true(sohoa_cccd_qr_parse(bc.items[0].data, &q));
    assert_string_equal(q.id, "001099012345");
    assert_string_equal(q.old_id, "012345678");
    assert_string_equal(q.name, "NGUYỄN VĂN AN");
    assert_string_equal(q.dob, "1999-03-15");
    assert_string_equal(q.sex, "Nam");
    assert_string_equal(q.issued, "2021-05-01");
    sohoa_barcodes_release(&bc);
    sohoa_image_release(&img);
}

static void test_blank_page(void **state)
{
    (void)state;
    struct sohoa_image img = {0};
    struct sohoa_barcodes bc = {0};
    assert_int_equal(sohoa_image_alloc(&img, 200, 100, 1, NULL), 0);
    memset(img.pixels, 255, img.stride * 100);
    assert_int_equal(sohoa_barcode_scan(&img, &bc, NULL), 0);
    assert_int_equal(bc.n, 0);
    sohoa_image_release(&img);
    assert_int_equal(sohoa_barcode_scan(NULL, &bc, NULL), SOHOA_EINVAL);
}

static void test_payloads(void **state)
{
    (void)state;
    struct sohoa_cccd_qr q;
    assert_false(sohoa_cccd_qr_parse("hello", &q));
    assert_false(sohoa_cccd_qr_parse("00109901234|x|A|15031999|Nam|B|01052021", &q)); /* 11 */
    assert_false(sohoa_cccd_qr_parse("001099012345||A|31021999|Nam|B|01052021", &q)); /* 31/02 */
    assert_true(sohoa_cccd_qr_parse("001099012345||Lê Thị Đào|01011990|Nữ|B|01052021", &q));
    assert_string_equal(q.old_id, "");
    assert_string_equal(q.name, "LÊ THỊ ĐÀO");
    assert_string_equal(q.sex, "Nữ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qr_png),
        cmocka_unit_test(test_blank_page),
        cmocka_unit_test(test_payloads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
