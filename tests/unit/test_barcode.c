/* test_barcode.c — QR codes read from a page image (zbar) and the CCCD payload parsed from them.
 *
 * tests/data/extract/cccd_qr.png and cccd_qr_utf8.png hold fictional CCCD payloads (how they were
 * made: tests/data/extract/README.md); the second one's UTF-8 bytes also parse as Shift-JIS, which
 * zbar's own character-set guess picks. The images are decoded with imageio like any scan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pipeline/image/barcode.h"
#include "pipeline/fields/cccd_qr.h"
#include "pipeline/image/imageio.h"

#define QR_PNG      SOHOA_TEST_DATA "/extract/cccd_qr.png"
#define QR_UTF8_PNG SOHOA_TEST_DATA "/extract/cccd_qr_utf8.png"
#define QR_L1_PNG   SOHOA_TEST_DATA "/extract/qr_latin1.png"

/* The data of the one QR code on `png`. */
static void scan_data(const char *png, char *data, size_t cap)
{
    struct sohoa_image img = {0};
    struct sohoa_barcodes bc = {0};
    struct sohoa_err err;
    assert_int_equal(sohoa_imageio_init(&err), 0);
    assert_int_equal(sohoa_imageio_decode_page(png, SOHOA_FORMAT_UNKNOWN, 0, NULL, &img, &err), 0);
    assert_int_equal(sohoa_barcode_scan(&img, &bc, &err), 0);
    assert_int_equal(bc.n, 1);
    assert_non_null(strstr(bc.items[0].symbology, "QR"));
    assert_true(bc.items[0].box[2] > bc.items[0].box[0]);
    snprintf(data, cap, "%s", bc.items[0].data);
    sohoa_barcodes_release(&bc);
    sohoa_image_release(&img);
}

/* The one QR code of `png` parsed as a CCCD payload into `q`; its data into `data`. */
static void scan_one(const char *png, struct sohoa_cccd_qr *q, char *data, size_t cap)
{
    scan_data(png, data, cap);
    assert_true(sohoa_cccd_qr_parse(data, q));
}

static void test_qr_png(void **state)
{
    (void)state;
    struct sohoa_cccd_qr q;
    char data[512];
    scan_one(QR_PNG, &q, data, sizeof data);
    assert_string_equal(q.id, "001099012345");
    assert_string_equal(q.old_id, "012345678");
    assert_string_equal(q.name, "NGUYỄN VĂN AN");
    assert_string_equal(q.dob, "1999-03-15");
    assert_string_equal(q.sex, "Nam");
    assert_string_equal(q.issued, "2021-05-01");
}

/* UTF-8 bytes that are also valid Shift-JIS come back as UTF-8 (zbar's binary mode). */
static void test_qr_utf8_not_sjis(void **state)
{
    (void)state;
    struct sohoa_cccd_qr q;
    char data[512];
    scan_one(QR_UTF8_PNG, &q, data, sizeof data);
    assert_string_equal(data, "019095907357|208205754|Trần Văn Sơn|20111995|Nam|135 Quang Trung, "
                              "Quang Trung, Thống Nhất, Thái Nguyên|15052022");
    assert_string_equal(q.name, "TRẦN VĂN SƠN");
    assert_string_equal(q.address, "135 Quang Trung, Quang Trung, Thống Nhất, Thái Nguyên");
}

/* Bytes that are no UTF-8 are read as ISO-8859-1. */
static void test_qr_latin1(void **state)
{
    (void)state;
    char data[64];
    scan_data(QR_L1_PNG, data, sizeof data);
    assert_string_equal(data, "Café crème");
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
        cmocka_unit_test(test_qr_png),    cmocka_unit_test(test_qr_utf8_not_sjis),
        cmocka_unit_test(test_qr_latin1), cmocka_unit_test(test_blank_page),
        cmocka_unit_test(test_payloads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
