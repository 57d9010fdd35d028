/** UNSHARE (NLMPROC4_UNSHARE = 21, versions 3 and 4): drop a share reservation; SHARE's types. */
import { procedure } from './common.js';
import { NlmProc } from './constants.js';
import { NLM_SHARE_RES, NLM4_SHARE_RES, SHARE_ARGS } from './share.js';

export const NLMPROC4_UNSHARE = procedure(NlmProc.UNSHARE, SHARE_ARGS, NLM4_SHARE_RES);
export const NLMPROC_UNSHARE = procedure(NlmProc.UNSHARE, SHARE_ARGS, NLM_SHARE_RES);
