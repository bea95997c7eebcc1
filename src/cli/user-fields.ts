export { isValidEmail, isValidUsername, USERNAME_RULE } from "../server/user-fields.js";
