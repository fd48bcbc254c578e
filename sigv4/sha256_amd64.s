//go:build !purego

#include "textflag.h"

// The SHA-256 block function with the SHA extensions (Intel SHA-NI), in the order of
// Intel's description of them: the chaining value is kept as ABEF and CDGH, each
// SHA256RNDS2 does two rounds, and SHA256MSG1/SHA256MSG2 extend the message schedule four
// words at a time.
//
// Registers: X1 ABEF, X2 CDGH, X0 the words plus constants of the next rounds (SHA256RNDS2
// reads it implicitly), X3-X6 four words of the schedule each, X7 scratch, X8 the
// byte-swap mask, X9-X10 the chaining value at the start of the block.

// RND4 does four rounds with the schedule words w and the constants at koff(AX).
#define RND4(w, koff) \
	MOVOU koff(AX), X0; \
	PADDL w, X0; \
	SHA256RNDS2 X0, X1, X2; \
	PSHUFD $0x0e, X0, X0; \
	SHA256RNDS2 X0, X2, X1

// RND4SCHED is RND4 on cur, and completes the next four words nxt from the previous
// four prev and cur.
#define RND4SCHED(cur, prev, nxt, koff) \
	MOVOU koff(AX), X0; \
	PADDL cur, X0; \
	SHA256RNDS2 X0, X1, X2; \
	MOVO cur, X7; \
	PALIGNR $4, prev, X7; \
	PADDL X7, nxt; \
	SHA256MSG2 cur, nxt; \
	PSHUFD $0x0e, X0, X0; \
	SHA256RNDS2 X0, X2, X1

// func blockSHANI(st *shaState, p []byte)
TEXT ·blockSHANI(SB), NOSPLIT, $0-32
	MOVQ st+0(FP), DI
	MOVQ p_base+8(FP), SI
	MOVQ p_len+16(FP), DX
	ANDQ $~63, DX
	JZ done
	ADDQ SI, DX // end of the last whole block
	LEAQ ·sha256K(SB), AX
	MOVOU ·sha256Flip(SB), X8

	MOVOU (DI), X1   // DCBA
	MOVOU 16(DI), X2 // HGFE
	PSHUFD $0xb1, X1, X1 // CDAB
	PSHUFD $0x1b, X2, X2 // EFGH
	MOVO X1, X7
	PALIGNR $8, X2, X1   // ABEF
	PBLENDW $0xf0, X7, X2 // CDGH

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
	RND4SCHED(X6, X5, X3, 48)
	SHA256MSG1 X6, X5

	// Rounds 16-51: the words of each four rounds complete the next four and begin the
	// four after.
	RND4SCHED(X3, X6, X4, 64)
	SHA256MSG1 X3, X6
	RND4SCHED(X4, X3, X5, 80)
	SHA256MSG1 X4, X3
	RND4SCHED(X5, X4, X6, 96)
	SHA256MSG1 X5, X4
	RND4SCHED(X6, X5, X3, 112)
	SHA256MSG1 X6, X5
	RND4SCHED(X3, X6, X4, 128)
	SHA256MSG1 X3, X6
	RND4SCHED(X4, X3, X5, 144)
	SHA256MSG1 X4, X3
	RND4SCHED(X5, X4, X6, 160)
	SHA256MSG1 X5, X4
	RND4SCHED(X6, X5, X3, 176)
	SHA256MSG1 X6, X5
	RND4SCHED(X3, X6, X4, 192)
	SHA256MSG1 X3, X6

	// Rounds 52-63: the last words need no further schedule.
	RND4SCHED(X4, X3, X5, 208)
	RND4SCHED(X5, X4, X6, 224)
	RND4(X6, 240)

	PADDL X9, X1
	PADDL X10, X2
	ADDQ $64, SI
	CMPQ SI, DX
	JB loop

	PSHUFD $0x1b, X1, X7 // FEBA
	PSHUFD $0xb1, X2, X2 // DCHG
	MOVO X7, X1
	PBLENDW $0xf0, X2, X1 // DCBA
	PALIGNR $8, X7, X2    // HGFE
	MOVOU X1, (DI)
	MOVOU X2, 16(DI)

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
	MOVOU ·hexDigits(SB), X4
	MOVOU ·nibbleMask(SB), X5
	HEX16(0)
	HEX16(16)
	RET
