// Configuration of hades_tb.v for hades_verify_sampling_g4_v49152_l16_fx16p8 (hades-sim --export-testbench). Do not edit.
`define HADES_TB_SAMPLING
`define HADES_TB_DUT hades_verify_sampling_g4_v49152_l16_fx16p8
`define HADES_TB_CMD_W 232
`define HADES_TB_LOGIT_W 256
`define HADES_TB_RESULT_W 32
`define HADES_TB_TOKEN_W 16
`define HADES_TB_TW 16
`define HADES_TB_GW 3
`define HADES_TB_ROUNDS 1
`define HADES_TB_LOGIT_BEATS 15360
`define HADES_TB_DRAFT_BEATS 12288
`define HADES_TB_TOKENS 5
`define HADES_TB_MAX_CYCLES 280888
`define HADES_TB_GAP 64
`define HADES_TB_STALL 64
