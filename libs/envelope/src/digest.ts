export { sha256Hex } from '#libs/kernel';
