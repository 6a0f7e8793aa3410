// Compares transformers.js on an exported model folder with check_export.py's references:
// token ids must be identical; positive probabilities close (int8 weights shift them a little).
// node scripts/train-sentiment/check-export.js <models dir> <model id> <refs.json>
const { readFileSync } = require('node:fs');

async function main() {
  const [modelsDir, id, refsFile] = process.argv.slice(2);
  const { env, AutoTokenizer, pipeline } = require('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = modelsDir;
  const refs = JSON.parse(readFileSync(refsFile, 'utf8'));
  const tokenizer = await AutoTokenizer.from_pretrained(id);
  const maxLength = JSON.parse(readFileSync(require('node:path').join(modelsDir, id, 'config.json'), 'utf8')).max_position_embeddings;
  let idMismatch = 0;
  for (const r of refs) {
    const ids = Array.from(tokenizer(r.text, { truncation: true, max_length: maxLength }).input_ids.data, Number);
    if (JSON.stringify(ids) !== JSON.stringify(r.ids)) {
      idMismatch++;
      if (idMismatch <= 5)
        console.log('ids differ:', JSON.stringify(r.text.slice(0, 80)), '\n js', ids.join(' '), '\n py', r.ids.join(' '));
    }
  }
  const classify = await pipeline('text-classification', id, { dtype: 'q8', session_options: { intraOpNumThreads: 1 } });
  let maxDiff = 0;
  let flips = 0;
  for (const r of refs) {
    const [top] = await classify(r.text);
    const positive = top.label === 'positive' ? top.score : 1 - top.score;
    maxDiff = Math.max(maxDiff, Math.abs(positive - r.positive));
    if (positive > 0.5 !== r.positive > 0.5) flips++;
  }
  console.log(JSON.stringify({ texts: refs.length, idMismatch, maxProbDiff: Number(maxDiff.toFixed(4)), labelFlips: flips }));
  if (idMismatch > 0) process.exit(1);
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
