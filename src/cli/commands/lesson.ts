import { join } from 'node:path';
import { RestClient } from '../../cluster/client/rest-client.ts';
import { EtcdKV } from '../../cluster/etcd/client.ts';
import { runningLab } from '../../cluster/lab.ts';
import { type LessonAction, runLessonCommand } from '../../lessons/commands.ts';
import { LessonEngine } from '../../lessons/engine.ts';
import { detectFeatures } from '../../lessons/features.ts';
import { chooseLanguage } from '../../lessons/language.ts';
import { loadLessons } from '../../lessons/loader.ts';
import { MESSAGES } from '../../lessons/messages.ts';
import { Progress, progressFile } from '../../lessons/progress.ts';
import type { LessonLine } from '../../lessons/render.ts';

/**
 * `orch-lab lesson ACTION [ID] [--lang ko|en]`: the lesson engine the terminal UI's Lesson tab
 * runs, once per command. It cannot see what is typed at the UI's prompt, so steps that wait for a
 * typed command say they are checked in the UI only.
 */
export async function lesson(options: {
  home: string;
  action: LessonAction;
  id?: string;
  lang?: string;
}): Promise<void> {
  const language = chooseLanguage(options.lang, process.env);
  const lessons = await loadLessons();
  const progress = await Progress.open(progressFile(options.home));
  const print = (lines: readonly LessonLine[]) => {
    for (const l of lines) console.log(l.text);
  };
  const lab = await runningLab(options.home);
  const kubeconfig = join(options.home, 'kubeconfig');
  const client = await RestClient.fromKubeconfig(kubeconfig, { component: 'orch-lab-lesson' }).catch(
    (err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOENT' ? new Error(MESSAGES[language].noKubeconfig(kubeconfig)) : err;
    },
  );
  const etcd = lab ? new EtcdKV({ endpoints: lab.etcd.split(','), onError: () => {} }) : undefined;
  try {
    const features = await detectFeatures(client, { etcd: etcd !== undefined });
    const engine = new LessonEngine({ lessons, client, progress, features, etcd });
    print(await runLessonCommand(engine, language, options.action, options.id));
  } finally {
    client.close();
    etcd?.close();
  }
}
