/**
 * Annotated-hex post_op_attr and wcc_data pieces, built from the shared pieces
 * in nfs3-fixtures.ts, for the fixtures of procedures whose results are
 * mostly attributes and wcc (REMOVE..COMMIT).
 */
import type { WccData } from '../../src/proto/nfs3/types.js';
import { FATTR, FATTR_HEX, WCC_ATTR, WCC_ATTR_HEX } from './nfs3-fixtures.js';

/** post_op_attr with attributes. */
export const POST_OP_ATTR_HEX = `
  00000001                  // post_op_attr: attributes_follow TRUE
  ${FATTR_HEX}
`;

/** wcc_data with both sides. */
export const WCC_HEX = `
  00000001                  // pre_op_attr: attributes_follow TRUE
  ${WCC_ATTR_HEX}
  00000001                  // post_op_attr: attributes_follow TRUE
  ${FATTR_HEX}
`;
export const WCC: WccData = { before: WCC_ATTR, after: FATTR };

/** wcc_data with neither side. */
export const EMPTY_WCC_HEX = `
  00000000                  // pre_op_attr: attributes_follow FALSE
  00000000                  // post_op_attr: attributes_follow FALSE
`;
