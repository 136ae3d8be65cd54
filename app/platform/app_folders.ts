import { access, constants } from 'node:fs/promises'
import { dirname } from 'node:path'

/*
| The folders the app writes besides its database (docs/deploy.md: storage/ and tmp/). pos:start
| checks tmp/ before serving: one the app's user may not write (its chown forgotten, a read-only
| mount) started a server whose product CSV uploads all failed.
*/

/** Why `folder` cannot be written, or made in its nearest existing parent; null when it can */
export async function appFolderProblem(folder: string): Promise<string | null> {
  let path = folder
  for (;;) {
    try {
      await access(path, constants.W_OK)
      return null
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT' && dirname(path) !== path) {
        path = dirname(path)
        continue
      }
      return path === folder ? `the folder ${folder} cannot be written (${code})` : `the folder ${folder} cannot be made in ${path} (${code})`
    }
  }
}
