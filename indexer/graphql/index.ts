export {
  createApi,
  defaultModules,
  DEFAULT_LIMITS,
  type Api,
  type ApiLimits,
  type CreateApiParams,
} from "./api";
export type { ApiContext, ApiModule } from "./context";
export { createReadPool } from "./database";
export { ErrorCode } from "./errors";
export { serveApi, type ApiServer } from "./server";
export { rpcHeadBlock } from "./status";
