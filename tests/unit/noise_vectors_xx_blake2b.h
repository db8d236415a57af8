/*
 * noise_vectors_xx_blake2b.h — published test vectors for
 * Noise_XX_25519_ChaChaPoly_BLAKE2b, copied as data (hex) from:
 *
 *   cacophony: github.com/haskell-cryptography/cacophony
 *     vectors/cacophony.txt, commit 36c1e5c3a799342b226547ce9fdb3579ab60ccd3
 *   noise_c: github.com/rweather/noise-c
 *     tests/vector/noise-c-basic.txt, commit ec5de2ca65b093234c82c45f47b46d19bfa912e4
 *   snow: github.com/mcginty/snow
 *     tests/vectors/snow.txt, commit d00b360cc61a7fe519ce7539974dca4f36c4654a
 *
 * Messages alternate initiator, responder, initiator, ...: the first three
 * are the handshake, the rest transport messages. Only test_chan.c includes
 * this file.
 */
#ifndef NOISE_VECTORS_XX_BLAKE2B_H
#define NOISE_VECTORS_XX_BLAKE2B_H

#define NV_MAX_MESSAGES	6

struct noise_vector_msg {
	const char	*payload;
	const char	*ciphertext;
};

struct noise_vector {
	const char		*source;
	const char		*prologue;
	const char		*init_static;
	const char		*init_ephemeral;
	const char		*resp_static;
	const char		*resp_ephemeral;
	const char		*handshake_hash;	/* NULL when not published */
	size_t			 nmessages;
	struct noise_vector_msg	 messages[NV_MAX_MESSAGES];
};

static const struct noise_vector noise_vectors[] = {
	{
		"haskell-cryptography/cacophony, vectors/cacophony.txt (commit 36c1e5c3a799342b226547ce9fdb3579ab60ccd3)",
		/* prologue */
		"4a6f686e2047616c74",
		/* init_static */
		"e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1",
		/* init_ephemeral */
		"893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a",
		/* resp_static */
		"4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893",
		/* resp_ephemeral */
		"bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b",
		NULL,
		6, {
			{ "4c756477696720766f6e204d69736573",
			  "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c7944"
			  "4c756477696720766f6e204d69736573" },
			{ "4d757272617920526f746862617264",
			  "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f144808843"
			  "0505b6745ce64a5f33f0e8e3b83f11ce8802bca507f4f2d8b564dbe277e19661"
			  "16e132faa2dfd70b8b077b9f94b913df5056ae1319469b824a98d54bbaa82c32"
			  "5595587064f978c4b6d104f7596e6f" },
			{ "462e20412e20486179656b",
			  "99579e1c1ee15e422a57ddd6b16d37087b17558e8369c18991b4b2ca3a824abf"
			  "904cdcf5458b5431a75af034ca9e9b982de039eaaf156775e2d580cd4e5ebae8"
			  "9c3f8cb2594b556d8a8169" },
			{ "4361726c204d656e676572",
			  "fc56eea290b3f3a21aac0c70cd5787b5ee99be37d2f4d751329b55" },
			{ "4a65616e2d426170746973746520536179",
			  "bb31c9da10d5639a4cdb88a12f5c61de41bbc7df09bf75d94f8184fe4157f5c6"
			  "8f" },
			{ "457567656e2042f6686d20766f6e2042617765726b",
			  "f6199cadb152fb27f82be0a0891ec76a33598ae92a46cab2fb5a8ed5bf48b7f2"
			  "67f8370af7" },
		},
	},
	{
		"rweather/noise-c, tests/vector/noise-c-basic.txt (commit ec5de2ca65b093234c82c45f47b46d19bfa912e4)",
		/* prologue */
		"50726f6c6f677565313233",
		/* init_static */
		"e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1",
		/* init_ephemeral */
		"893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a",
		/* resp_static */
		"4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893",
		/* resp_ephemeral */
		"bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b",
		/* handshake_hash */
		"7f6b8a1de1faf8b5e153ded74c950d09c5caf62a8e2eeb73277671d4e65ef9ca"
		"2421a748a4af050284fa6f3eb40bb77f4ace99b7f3ea01db2953233a546a72d2",
		6, {
			{ "4c756477696720766f6e204d69736573",
			  "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c7944"
			  "4c756477696720766f6e204d69736573" },
			{ "4d757272617920526f746862617264",
			  "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f144808843"
			  "0505b6745ce64a5f33f0e8e3b83f11ce8802bca507f4f2d8b564dbe277e19661"
			  "57671ea3b8853f41ae9fb01b5198b7355056ae1319469b824a98d54bbaa82c26"
			  "4bbb329d7b104cdeeda568b40a097c" },
			{ "462e20412e20486179656b",
			  "99579e1c1ee15e422a57ddd6b16d37087b17558e8369c18991b4b2ca3a824abf"
			  "55433b8625300437ffbe733f1c6cf40b2de039eaaf156775e2d58021e5d46b9c"
			  "b99b280c73026b50f27736" },
			{ "4361726c204d656e676572",
			  "fc56eea290b3f3a21aac0c70cd5787b5ee99be37d2f4d751329b55" },
			{ "4a65616e2d426170746973746520536179",
			  "bb31c9da10d5639a4cdb88a12f5c61de41bbc7df09bf75d94f8184fe4157f5c6"
			  "8f" },
			{ "457567656e2042f6686d20766f6e2042617765726b",
			  "f6199cadb152fb27f82be0a0891ec76a33598ae92a46cab2fb5a8ed5bf48b7f2"
			  "67f8370af7" },
		},
	},
	{
		"mcginty/snow, tests/vectors/snow.txt (commit d00b360cc61a7fe519ce7539974dca4f36c4654a)",
		/* prologue */
		"5468657265206973206e6f20726967687420616e642077726f6e672e20546865"
		"72652773206f6e6c792066756e20616e6420626f72696e672e",
		/* init_static */
		"842752777821bd4c9a6a84c777cb9028ba2446c864e035c8d380632dca3a7702",
		/* init_ephemeral */
		"5dfce6be0b767fc60a51e1d627711c67d63e97115cb3957a64a66919747ea47c",
		/* resp_static */
		"8885e7006b27a44bec4a6e7bfcc37032a3564a73bf9588585bd1166829d80d8a",
		/* resp_ephemeral */
		"9c012e056ed37994a4bfb09f57a7505bf44c07e9784c3c2bcefd8880b2d85e21",
		NULL,
		5, {
			{ "bcb708376354e0dc837fc3f7e0e9c8c59849fd907a129a3c0afde64e79d1ac09",
			  "50a7da541baa50d563e3fd3526f53e9b7e4af8083a4180b5d1f8cd49fbe30518"
			  "bcb708376354e0dc837fc3f7e0e9c8c59849fd907a129a3c0afde64e79d1ac09" },
			{ "77783888d07aa30dfeccf96d8da0a293546232bc8a460b5fbca479e3da54d3b2",
			  "6b0ae570deada82b6f3071c87bd361014c34f8d15fee49ed0078f38a9c05bb70"
			  "3c2eb46ccc2734a9c07555b85d6f0b5ae29f24aaa2c351d815acd2e1de777034"
			  "4339d0d854daf5a4468b189caf7ff643d6c5645e9e7fd5edcad6755ea0a01f51"
			  "f552650ab99b7a0eba09f64b9dc0737f5756688682897c0912890a6ec56d72f8" },
			{ "420d0154f4e26a4224c201f3ecceddc06eb8896b78386978fb25b21dd276c6fb",
			  "386d9e2549dcb9a016db7e05f45c19d2c4fd4e7a61d1c06dbd01d21012d448b3"
			  "4761826aa7b3fc8d0c5cc73d487c1f19ac29de837b4ccd361603f03d12f8971a"
			  "e0534fbd8096fd5bc2c7bdc77026207623514afa5804d07a3b0c316f9e5a9c12" },
			{ "58f929d4d8eda457fb01b3a09bb6391aac0d93477df9e3042355741747744571",
			  "c81ba3d22336cd78d64ff9e2161d339db9fd3a5407a3fb594fb7a59d718e83c6"
			  "054b1002721e63ffb2a2d2d8bfd670bc" },
			{ "c86af330a6b59de9d7ead76260204ef7e897a1323bdc0a9c5ea4450556ed0bf6",
			  "1207c87bc8ec9b6d5db3a3d3ed5caab43c98e71492a424b7d7302ea8313d1b0e"
			  "3644c9b3c479a80cdb3da1e92466b8ac" },
		},
	},
};

#endif
