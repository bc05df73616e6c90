export { canonicalDigest, canonicalJson as canonicalText } from '#libs/kernel';
