// Public surface of the operator: what the bin and other parts may import. Internals stay behind this file.
export { main, operatorInfo } from './main.js';
