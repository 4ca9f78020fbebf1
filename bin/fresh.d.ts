export declare const PROJECT_ROOT: string;
export declare const BUILD_MARK: string;
/** null when dist/ is fresh, else why not. */
export declare function staleBuild(env?: NodeJS.ProcessEnv): string | null;
