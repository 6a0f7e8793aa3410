import path from 'node:path';
import { type Command } from 'commander';
import { loadConfig } from '../../config/config';
import {
  checkModelFolder,
  DEFAULT_TEXT_MODELS,
  onnxFileFor,
  pullModel,
  TransformersTextModel,
  type ModelDtype,
  type TextTask,
} from '../../../engine/text';
import { action, type CommandModule } from '../command';
import { UsageError } from '../exit-codes';
import { bilingual } from '../i18n';

const DTYPES: readonly ModelDtype[] = ['q8', 'fp32', 'fp16', 'int8', 'uint8', 'q4'];
const TASKS: readonly TextTask[] = ['sentiment', 'topics', 'embeddings'];

interface ModelFlags {
  dtype: string;
  sentiment?: string;
  topics?: string;
  embeddings?: string;
}

function parseDtype(value: string): ModelDtype {
  if (!(DTYPES as readonly string[]).includes(value)) throw new UsageError(`--dtype must be one of ${DTYPES.join(', ')}, got "${value}"`);
  return value as ModelDtype;
}

function modelsFor(flags: ModelFlags): Record<TextTask, string> {
  return {
    sentiment: flags.sentiment ?? DEFAULT_TEXT_MODELS.sentiment,
    topics: flags.topics ?? DEFAULT_TEXT_MODELS.topics,
    embeddings: flags.embeddings ?? DEFAULT_TEXT_MODELS.embeddings,
  };
}

function modelsDirOf(config: ReturnType<typeof loadConfig>): string {
  return config.modelsDir ?? path.join(config.dataDir, 'models');
}

interface TaskReport {
  task: TextTask;
  id: string;
  folder: string;
  dtype: ModelDtype;
  status: 'ok' | 'missing' | 'broken';
  missing: string[];
  problems: string[];
  fix?: string;
  smoke?: string;
}

async function smoke(model: TransformersTextModel, task: TextTask): Promise<string> {
  const texts = ['The support team fixed it quickly.', '客服很快就解决了问题。'];
  if (task === 'sentiment') return (await model.sentiment(texts)).map((r) => `${r.label} ${r.score.toFixed(2)}`).join('; ');
  if (task === 'topics') return (await model.topics(texts, ['support', 'billing'])).map((r) => r.labels[0]?.label ?? '?').join('; ');
  const e = await model.embed(texts);
  return `${e.length} × ${e[0]?.vector.length ?? 0} dims`;
}

export const modelsCommand: CommandModule = {
  register(program: Command) {
    const models = program
      .command('models')
      .description(
        'Local transformer models for text: fetch ahead of time, check what is installed / 本地文本模型：预先下载、检查安装情况',
      );
    const taskFlags = (c: Command): Command =>
      c
        .option('--dtype <dtype>', `weight precision (${DTYPES.join(', ')})`, 'q8')
        .option('--sentiment <id>', 'sentiment model id', undefined)
        .option('--topics <id>', 'zero-shot topic model id', undefined)
        .option('--embeddings <id>', 'sentence embedding model id', undefined)
        .option('--json', 'print one JSON object on stdout');

    taskFlags(
      models
        .command('verify')
        .description('Check model files, tokenizer and dtype, run a smoke inference, and say what is missing and how to add it'),
    ).action(
      action(async (out, flags: ModelFlags) => {
        const dtype = parseDtype(flags.dtype);
        const config = loadConfig();
        const modelsDir = modelsDirOf(config);
        const ids = modelsFor(flags);
        const model = new TransformersTextModel({ modelsDir, allowRemoteModels: false, models: ids, dtype });
        const reports: TaskReport[] = [];
        try {
          for (const task of TASKS) {
            const check = checkModelFolder(modelsDir, ids[task], dtype);
            const report: TaskReport = {
              task,
              id: ids[task],
              folder: check.folder,
              dtype,
              status: check.complete ? 'ok' : check.missing.length > 0 ? 'missing' : 'broken',
              missing: check.missing,
              problems: check.problems,
            };
            if (!check.complete) {
              const other =
                check.availableDtypes.length > 0
                  ? ` (this folder has ${check.availableDtypes.join(', ')}: pass --dtype ${check.availableDtypes[0]} to use it)`
                  : '';
              report.fix = `run \`success-engine models pull ${ids[task]} --dtype ${dtype}\` (here if SE_ALLOW_REMOTE_MODELS is on, else on a machine that can reach huggingface.co, then copy its <MODELS_DIR>/${ids[task]} folder to ${check.folder}); or download ${[...check.missing, ...check.problems.map((p) => p.split(' ')[0] ?? '')].join(', ')} from https://huggingface.co/${ids[task]}/tree/main into ${check.folder}${other}`;
            } else {
              try {
                report.smoke = await smoke(model, task);
              } catch (error) {
                report.status = 'broken';
                report.problems.push(`smoke inference failed: ${(error as Error).message}`);
                report.fix = `the files are there but do not load; re-pull with \`success-engine models pull ${ids[task]} --dtype ${dtype}\` (expects ${onnxFileFor(dtype)})`;
              }
            }
            reports.push(report);
          }
        } finally {
          await model.close();
        }
        out.line(
          bilingual(
            `Text models in ${modelsDir} (dtype ${dtype}, remote ${config.allowRemoteModels ? 'allowed' : 'off'})`,
            `文本模型目录 ${modelsDir}（精度 ${dtype}）`,
          ),
        );
        for (const r of reports) {
          out.line(
            `  ${r.task.padEnd(10)} ${r.status === 'ok' ? bilingual('ok', '正常') : r.status === 'missing' ? bilingual('MISSING', '缺失') : bilingual('BROKEN', '损坏')}  ${r.id}`,
          );
          if (r.smoke) out.line(`             smoke: ${r.smoke}`);
          for (const m of r.missing) out.line(`             ${bilingual('missing file', '缺少文件')}: ${path.join(r.folder, m)}`);
          for (const p of r.problems) out.line(`             ${bilingual('problem', '问题')}: ${p}`);
          if (r.fix) out.line(`             ${bilingual('fix', '解决')}: ${r.fix}`);
        }
        const allOk = reports.every((r) => r.status === 'ok');
        if (!allOk)
          out.line(
            bilingual(
              'Until then the shipped English/Chinese sentiment model (sentiment-bilingual) with built-in topics and embeddings is used; every result names its model.',
              '在此之前使用随产品提供的中英文情感模型（sentiment-bilingual）以及内置主题与向量模型；每条结果都会注明所用模型。',
            ),
          );
        out.result({ modelsDir, dtype, ok: allOk, builtinFallback: !allOk, models: reports });
        if (!allOk) process.exitCode = 1;
      }),
    );

    models
      .command('pull')
      .description('Fetch a model from the Hugging Face Hub into MODELS_DIR ahead of time (all three defaults without an id)')
      .argument('[id]', 'model id, e.g. Xenova/paraphrase-multilingual-MiniLM-L12-v2')
      .option('--dtype <dtype>', `weight precision (${DTYPES.join(', ')})`, 'q8')
      .option('--json', 'print one JSON object on stdout')
      .action(
        action(async (out, id: string | undefined, flags: { dtype: string }) => {
          const dtype = parseDtype(flags.dtype);
          const config = loadConfig();
          if (!config.allowRemoteModels)
            throw new UsageError(
              'remote models are off (SE_ALLOW_REMOTE_MODELS=false): pull on a connected machine and copy the folder into MODELS_DIR',
            );
          const modelsDir = modelsDirOf(config);
          const ids = id ? [id] : [...new Set(Object.values(DEFAULT_TEXT_MODELS))];
          const pulled = [];
          for (const modelId of ids) {
            out.note(`pulling ${modelId} (${dtype}) into ${path.join(modelsDir, modelId)}`);
            const result = await pullModel(
              modelsDir,
              modelId,
              dtype,
              (url) => fetch(url),
              undefined,
              (file) => out.note(`  ${file}`),
            );
            pulled.push(result);
            out.line(
              `${bilingual('pulled', '已下载')} ${modelId}: ${result.files.length} ${bilingual('files', '个文件')}, ${(result.files.reduce((a, f) => a + f.bytes, 0) / 2 ** 20).toFixed(1)} MiB`,
            );
          }
          out.result({ modelsDir, dtype, pulled });
        }),
      );
  },
};
