// Configuration of hades_tb.v for hades_verify_g8_v49152_l16_fx16p8 (hades-sim --export-testbench). Do not edit.
`define HADES_TB_DUT hades_verify_g8_v49152_l16_fx16p8
`define HADES_TB_CMD_W 136
`define HADES_TB_LOGIT_W 256
`define HADES_TB_RESULT_W 32
`define HADES_TB_TOKEN_W 16
`define HADES_TB_TW 16
`define HADES_TB_GW 4
`define HADES_TB_ROUNDS 2
`define HADES_TB_LOGIT_BEATS 30720
`define HADES_TB_DRAFT_BEATS 0
`define HADES_TB_TOKENS 3
`define HADES_TB_MAX_CYCLES 355112
`define HADES_TB_GAP 64
`define HADES_TB_STALL 64
