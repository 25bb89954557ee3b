/* Check suite for lib/utf8.c. The table of forms (overlongs, surrogates,
 * truncations, U+10FFFF) is in test_event.c, from when utf8_is_valid lived
 * in event.c; this suite holds what utf8.h itself promises. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

START_TEST(test_contract)
{
	/* len counts, not NUL: a NUL byte is valid UTF-8 (callers that refuse
	 * it check it), and the bytes after len are not looked at. */
	ck_assert(utf8_is_valid("a\0b", 3));
	ck_assert(utf8_is_valid("", 0));
	ck_assert(utf8_is_valid(NULL, 0));
	ck_assert(utf8_is_valid("ab\xff", 2));
	ck_assert(!utf8_is_valid("ab\xff", 3));
	/* A sequence cut by len is invalid. */
	ck_assert(!utf8_is_valid("\xf0\x9f\x98\x80", 3));
	ck_assert(utf8_is_valid("\xf0\x9f\x98\x80", 4));
	/* The limits of RFC 3629. */
	ck_assert(utf8_is_valid("\xf4\x8f\xbf\xbf", 4));
	ck_assert(!utf8_is_valid("\xf4\x90\x80\x80", 4));
	ck_assert(!utf8_is_valid("\xed\xa0\x80", 3));
	ck_assert(!utf8_is_valid("\xc0\x80", 2));
}
END_TEST

START_TEST(test_every_code_point)
{
	/* Every scalar value encodes to a valid sequence; every surrogate to
	 * an invalid one. */
	for (unsigned cp = 0x80; cp <= 0x10ffff; cp += cp < 0x10000 ? 1 : 7) {
		unsigned char b[4];
		size_t n;

		if (cp < 0x800) {
			b[0] = (unsigned char)(0xc0 | cp >> 6);
			b[1] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 2;
		} else if (cp < 0x10000) {
			b[0] = (unsigned char)(0xe0 | cp >> 12);
			b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
			b[2] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 3;
		} else {
			b[0] = (unsigned char)(0xf0 | cp >> 18);
			b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
			b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
			b[3] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 4;
		}
		ck_assert_msg(utf8_is_valid((const char *)b, n) ==
			      !(cp >= 0xd800 && cp <= 0xdfff), "U+%04X", cp);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("utf8");
	TCase *tc = tcase_create("utf8");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_contract);
	tcase_add_test(tc, test_every_code_point);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
