export { decodeBase32, encodeBase32 } from './base32.ts';
export { generateHOTP, hotpValue, type OtpAlgorithm } from './hotp.ts';
export { createTOTPKeyURI, parseTOTPKeyURI, type ParsedTOTPKeyURI } from './key-uri.ts';
export { defaultTotpParams, generateTOTP, totpStep, verifyTOTPStep, type TotpParams } from './totp.ts';
