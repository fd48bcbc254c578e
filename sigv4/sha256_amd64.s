//go:build gc && !purego

#include "textflag.h"

// SHA-256's round constants (FIPS 180-4, 4.2.2).
DATA k256<>+0x00(SB)/4, $0x428a2f98
DATA k256<>+0x04(SB)/4, $0x71374491
DATA k256<>+0x08(SB)/4, $0xb5c0fbcf
DATA k256<>+0x0c(SB)/4, $0xe9b5dba5
DATA k256<>+0x10(SB)/4, $0x3956c25b
DATA k256<>+0x14(SB)/4, $0x59f111f1
DATA k256<>+0x18(SB)/4, $0x923f82a4
DATA k256<>+0x1c(SB)/4, $0xab1c5ed5
DATA k256<>+0x20(SB)/4, $0xd807aa98
DATA k256<>+0x24(SB)/4, $0x12835b01
DATA k256<>+0x28(SB)/4, $0x243185be
DATA k256<>+0x2c(SB)/4, $0x550c7dc3
DATA k256<>+0x30(SB)/4, $0x72be5d74
DATA k256<>+0x34(SB)/4, $0x80deb1fe
DATA k256<>+0x38(SB)/4, $0x9bdc06a7
DATA k256<>+0x3c(SB)/4, $0xc19bf174
DATA k256<>+0x40(SB)/4, $0xe49b69c1
DATA k256<>+0x44(SB)/4, $0xefbe4786
DATA k256<>+0x48(SB)/4, $0x0fc19dc6
DATA k256<>+0x4c(SB)/4, $0x240ca1cc
DATA k256<>+0x50(SB)/4, $0x2de92c6f
DATA k256<>+0x54(SB)/4, $0x4a7484aa
DATA k256<>+0x58(SB)/4, $0x5cb0a9dc
DATA k256<>+0x5c(SB)/4, $0x76f988da
DATA k256<>+0x60(SB)/4, $0x983e5152
DATA k256<>+0x64(SB)/4, $0xa831c66d
DATA k256<>+0x68(SB)/4, $0xb00327c8
DATA k256<>+0x6c(SB)/4, $0xbf597fc7
DATA k256<>+0x70(SB)/4, $0xc6e00bf3
DATA k256<>+0x74(SB)/4, $0xd5a79147
DATA k256<>+0x78(SB)/4, $0x06ca6351
DATA k256<>+0x7c(SB)/4, $0x14292967
DATA k256<>+0x80(SB)/4, $0x27b70a85
DATA k256<>+0x84(SB)/4, $0x2e1b2138
DATA k256<>+0x88(SB)/4, $0x4d2c6dfc
DATA k256<>+0x8c(SB)/4, $0x53380d13
DATA k256<>+0x90(SB)/4, $0x650a7354
DATA k256<>+0x94(SB)/4, $0x766a0abb
DATA k256<>+0x98(SB)/4, $0x81c2c92e
DATA k256<>+0x9c(SB)/4, $0x92722c85
DATA k256<>+0xa0(SB)/4, $0xa2bfe8a1
DATA k256<>+0xa4(SB)/4, $0xa81a664b
DATA k256<>+0xa8(SB)/4, $0xc24b8b70
DATA k256<>+0xac(SB)/4, $0xc76c51a3
DATA k256<>+0xb0(SB)/4, $0xd192e819
DATA k256<>+0xb4(SB)/4, $0xd6990624
DATA k256<>+0xb8(SB)/4, $0xf40e3585
DATA k256<>+0xbc(SB)/4, $0x106aa070
DATA k256<>+0xc0(SB)/4, $0x19a4c116
DATA k256<>+0xc4(SB)/4, $0x1e376c08
DATA k256<>+0xc8(SB)/4, $0x2748774c
DATA k256<>+0xcc(SB)/4, $0x34b0bcb5
DATA k256<>+0xd0(SB)/4, $0x391c0cb3
DATA k256<>+0xd4(SB)/4, $0x4ed8aa4a
DATA k256<>+0xd8(SB)/4, $0x5b9cca4f
DATA k256<>+0xdc(SB)/4, $0x682e6ff3
DATA k256<>+0xe0(SB)/4, $0x748f82ee
DATA k256<>+0xe4(SB)/4, $0x78a5636f
DATA k256<>+0xe8(SB)/4, $0x84c87814
DATA k256<>+0xec(SB)/4, $0x8cc70208
DATA k256<>+0xf0(SB)/4, $0x90befffa
DATA k256<>+0xf4(SB)/4, $0xa4506ceb
DATA k256<>+0xf8(SB)/4, $0xbef9a3f7
DATA k256<>+0xfc(SB)/4, $0xc67178f2
GLOBL k256<>(SB), RODATA|NOPTR, $256

// The PSHUFB mask that turns each 4-byte word of a block big-endian.
DATA flipMask<>+0x00(SB)/8, $0x0405060700010203
DATA flipMask<>+0x08(SB)/8, $0x0c0d0e0f08090a0b
GLOBL flipMask<>(SB), RODATA|NOPTR, $16

// The hex digits, and the mask of a byte's low nibble.
DATA hexDigits<>+0x00(SB)/8, $0x3736353433323130
DATA hexDigits<>+0x08(SB)/8, $0x6665646362613938
GLOBL hexDigits<>(SB), RODATA|NOPTR, $16
DATA lowNibbles<>+0x00(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA lowNibbles<>+0x08(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL lowNibbles<>(SB), RODATA|NOPTR, $16

// The SHA-256 block function with the SHA extensions (Intel SHA-NI), in the order of
// Intel's description of them: the chaining value is kept as ABEF and CDGH, each
// SHA256RNDS2 does two rounds, and SHA256MSG1/SHA256MSG2 extend the message schedule four
// words at a time.
//
// Registers: X1 ABEF, X2 CDGH, X0 the words plus constants of the next rounds (SHA256RNDS2
// reads it implicitly), X3-X6 four words of the schedule each, X7 scratch, X8 the
// byte-swap mask, X9-X10 the chaining value at the start of the block.

// RNDS does four rounds with the schedule words w and the constants at koff(AX), on the
// chaining value in abef and cdgh.
#define RNDS(w, koff, abef, cdgh) \
	MOVOU koff(AX), X0; \
	PADDL w, X0; \
	SHA256RNDS2 X0, abef, cdgh; \
	PSHUFD $0x0e, X0, X0; \
	SHA256RNDS2 X0, cdgh, abef

// RNDSSCHED is RNDS on cur, and completes the next four words nxt from the previous four
// prev and cur.
#define RNDSSCHED(cur, prev, nxt, koff, abef, cdgh) \
	MOVOU koff(AX), X0; \
	PADDL cur, X0; \
	SHA256RNDS2 X0, abef, cdgh; \
	MOVO cur, X7; \
	PALIGNR $4, prev, X7; \
	PADDL X7, nxt; \
	SHA256MSG2 cur, nxt; \
	PSHUFD $0x0e, X0, X0; \
	SHA256RNDS2 X0, cdgh, abef

// LOADSTATE loads the chaining value at st as ABEF and CDGH.
#define LOADSTATE(st, abef, cdgh) \
	MOVOU (st), abef; \
	MOVOU 16(st), cdgh; \
	PSHUFD $0xb1, abef, abef; \
	PSHUFD $0x1b, cdgh, cdgh; \
	MOVO abef, X7; \
	PALIGNR $8, cdgh, abef; \
	PBLENDW $0xf0, X7, cdgh

// STORESTATE stores ABEF and CDGH as the chaining value at st.
#define STORESTATE(st, abef, cdgh) \
	PSHUFD $0x1b, abef, X7; \
	PSHUFD $0xb1, cdgh, cdgh; \
	MOVO X7, abef; \
	PBLENDW $0xf0, cdgh, abef; \
	PALIGNR $8, X7, cdgh; \
	MOVOU abef, (st); \
	MOVOU cdgh, 16(st)

// RND4 and RND4SCHED are RNDS and RNDSSCHED on the one stream's chaining value, X1 and X2.
#define RND4(w, koff) RNDS(w, koff, X1, X2)
#define RND4SCHED(cur, prev, nxt, koff) RNDSSCHED(cur, prev, nxt, koff, X1, X2)

// RND4SCHED1 is RND4SCHED, then begins the words after next from prev and cur.
#define RND4SCHED1(cur, prev, nxt, koff) \
	RND4SCHED(cur, prev, nxt, koff); \
	SHA256MSG1 cur, prev

// func blockSHANI(st *shaState, p []byte)
TEXT ·blockSHANI(SB), NOSPLIT, $0-32
	MOVQ st+0(FP), DI
	MOVQ p_base+8(FP), SI
	MOVQ p_len+16(FP), DX
	ANDQ $~63, DX
	JZ done
	ADDQ SI, DX // end of the last whole block
	LEAQ k256<>(SB), AX
	MOVOU flipMask<>(SB), X8

	LOADSTATE(DI, X1, X2)

loop:
	MOVO X1, X9
	MOVO X2, X10

	// Rounds 0-15 on the block's own words; the schedule starts.
	MOVOU (SI), X3
	PSHUFB X8, X3
	RND4(X3, 0)
	MOVOU 16(SI), X4
	PSHUFB X8, X4
	RND4(X4, 16)
	SHA256MSG1 X4, X3
	MOVOU 32(SI), X5
	PSHUFB X8, X5
	RND4(X5, 32)
	SHA256MSG1 X5, X4
	MOVOU 48(SI), X6
	PSHUFB X8, X6
	RND4SCHED1(X6, X5, X3, 48)

	// Rounds 16-51: the words of each four rounds complete the next four and begin the
	// four after.
	RND4SCHED1(X3, X6, X4, 64)
	RND4SCHED1(X4, X3, X5, 80)
	RND4SCHED1(X5, X4, X6, 96)
	RND4SCHED1(X6, X5, X3, 112)
	RND4SCHED1(X3, X6, X4, 128)
	RND4SCHED1(X4, X3, X5, 144)
	RND4SCHED1(X5, X4, X6, 160)
	RND4SCHED1(X6, X5, X3, 176)
	RND4SCHED1(X3, X6, X4, 192)

	// Rounds 52-63: the last words need no further schedule.
	RND4SCHED(X4, X3, X5, 208)
	RND4SCHED(X5, X4, X6, 224)
	RND4(X6, 240)

	PADDL X9, X1
	PADDL X10, X2
	ADDQ $64, SI
	CMPQ SI, DX
	JB loop

	STORESTATE(DI, X1, X2)

done:
	RET

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func blockSHANIx2(a *shaState, pa []byte, b *shaState, pb []byte)
//
// Two independent hashes in turn, group of four rounds by group, so that the processor
// overlaps them: SHA256RNDS2's latency, not its throughput, bounds a single stream.
//
// Registers: X1-X2 and X3-X6 stream a's chaining value and schedule, X9-X10 and X11-X14
// stream b's; X0 and X7 are shared scratch, X8 the byte-swap mask; the chaining values at
// the start of a block are kept on the stack.
TEXT ·blockSHANIx2(SB), NOSPLIT, $64-64
	MOVQ a+0(FP), DI
	MOVQ pa_base+8(FP), SI
	MOVQ pa_len+16(FP), DX
	MOVQ b+32(FP), R8
	MOVQ pb_base+40(FP), R9
	MOVQ pb_len+48(FP), CX
	CMPQ CX, DX
	CMOVQLT CX, DX // the shorter of the two
	ANDQ $~63, DX
	JZ x2done
	ADDQ SI, DX // end of a's last block processed
	LEAQ k256<>(SB), AX
	MOVOU flipMask<>(SB), X8
	LOADSTATE(DI, X1, X2)
	LOADSTATE(R8, X9, X10)

x2loop:
	MOVOU X1, 0(SP)
	MOVOU X2, 16(SP)
	MOVOU X9, 32(SP)
	MOVOU X10, 48(SP)

	MOVOU 0(SI), X3
	PSHUFB X8, X3
	RNDS(X3, 0, X1, X2)
	MOVOU 0(R9), X11
	PSHUFB X8, X11
	RNDS(X11, 0, X9, X10)
	MOVOU 16(SI), X4
	PSHUFB X8, X4
	RNDS(X4, 16, X1, X2)
	SHA256MSG1 X4, X3
	MOVOU 16(R9), X12
	PSHUFB X8, X12
	RNDS(X12, 16, X9, X10)
	SHA256MSG1 X12, X11
	MOVOU 32(SI), X5
	PSHUFB X8, X5
	RNDS(X5, 32, X1, X2)
	SHA256MSG1 X5, X4
	MOVOU 32(R9), X13
	PSHUFB X8, X13
	RNDS(X13, 32, X9, X10)
	SHA256MSG1 X13, X12
	MOVOU 48(SI), X6
	PSHUFB X8, X6
	RNDSSCHED(X6, X5, X3, 48, X1, X2)
	SHA256MSG1 X6, X5
	MOVOU 48(R9), X14
	PSHUFB X8, X14
	RNDSSCHED(X14, X13, X11, 48, X9, X10)
	SHA256MSG1 X14, X13
	RNDSSCHED(X3, X6, X4, 64, X1, X2)
	SHA256MSG1 X3, X6
	RNDSSCHED(X11, X14, X12, 64, X9, X10)
	SHA256MSG1 X11, X14
	RNDSSCHED(X4, X3, X5, 80, X1, X2)
	SHA256MSG1 X4, X3
	RNDSSCHED(X12, X11, X13, 80, X9, X10)
	SHA256MSG1 X12, X11
	RNDSSCHED(X5, X4, X6, 96, X1, X2)
	SHA256MSG1 X5, X4
	RNDSSCHED(X13, X12, X14, 96, X9, X10)
	SHA256MSG1 X13, X12
	RNDSSCHED(X6, X5, X3, 112, X1, X2)
	SHA256MSG1 X6, X5
	RNDSSCHED(X14, X13, X11, 112, X9, X10)
	SHA256MSG1 X14, X13
	RNDSSCHED(X3, X6, X4, 128, X1, X2)
	SHA256MSG1 X3, X6
	RNDSSCHED(X11, X14, X12, 128, X9, X10)
	SHA256MSG1 X11, X14
	RNDSSCHED(X4, X3, X5, 144, X1, X2)
	SHA256MSG1 X4, X3
	RNDSSCHED(X12, X11, X13, 144, X9, X10)
	SHA256MSG1 X12, X11
	RNDSSCHED(X5, X4, X6, 160, X1, X2)
	SHA256MSG1 X5, X4
	RNDSSCHED(X13, X12, X14, 160, X9, X10)
	SHA256MSG1 X13, X12
	RNDSSCHED(X6, X5, X3, 176, X1, X2)
	SHA256MSG1 X6, X5
	RNDSSCHED(X14, X13, X11, 176, X9, X10)
	SHA256MSG1 X14, X13
	RNDSSCHED(X3, X6, X4, 192, X1, X2)
	SHA256MSG1 X3, X6
	RNDSSCHED(X11, X14, X12, 192, X9, X10)
	SHA256MSG1 X11, X14
	RNDSSCHED(X4, X3, X5, 208, X1, X2)
	RNDSSCHED(X12, X11, X13, 208, X9, X10)
	RNDSSCHED(X5, X4, X6, 224, X1, X2)
	RNDSSCHED(X13, X12, X14, 224, X9, X10)
	RNDS(X6, 240, X1, X2)
	RNDS(X14, 240, X9, X10)

	MOVOU 0(SP), X0
	PADDL X0, X1
	MOVOU 16(SP), X0
	PADDL X0, X2
	MOVOU 32(SP), X0
	PADDL X0, X9
	MOVOU 48(SP), X0
	PADDL X0, X10
	ADDQ $64, SI
	ADDQ $64, R9
	CMPQ SI, DX
	JB x2loop

	STORESTATE(DI, X1, X2)
	STORESTATE(R8, X9, X10)

x2done:
	RET

// HEX16 writes the hex of the 16 bytes at off(SI) to 2*off(DI).
#define HEX16(off) \
	MOVOU off(SI), X0; \
	MOVO X0, X1; \
	PSRLW $4, X1; \
	PAND X5, X1; \
	PAND X5, X0; \
	MOVO X4, X2; \
	PSHUFB X1, X2; \
	MOVO X4, X3; \
	PSHUFB X0, X3; \
	MOVO X2, X6; \
	PUNPCKLBW X3, X6; \
	PUNPCKHBW X3, X2; \
	MOVOU X6, (2*off)(DI); \
	MOVOU X2, (2*off+16)(DI)

// func hexSSSE3(dst *[64]byte, src *[32]byte)
TEXT ·hexSSSE3(SB), NOSPLIT, $0-16
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVOU hexDigits<>(SB), X4
	MOVOU lowNibbles<>(SB), X5
	HEX16(0)
	HEX16(16)
	RET
