/** "Did you mean" lives with how pipetest writes for people; the contract layer shares it. */
export { closest } from '../text.js'
