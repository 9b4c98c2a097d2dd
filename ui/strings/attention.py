"""Attention page (course Part 3.1.3): a tiny GPT sorts digits or writes Japanese while its attention shows.

The page's title and Home blurb (`nav.attention`, `home.blurb.attention`) live here too, beside the page's
other strings."""

JA = {
    "nav.attention": "Attention（小さな GPT）",
    "home.blurb.attention": "小さな GPT が数字の並べ替えを 1 分で覚える。注意のパターンが育つのが見える",
    "attention.title": "Attention：GPT の注意",
    "attention.lead": (
        "Transformer の中心は **Attention（注意機構）**：各位置が「どの位置を見るか」を自分で決めます。"
        "**学習開始** で小さな GPT が 6 個の数字の並べ替えを学び、右の注意のパターンが育ちます。"
    ),
    "attention.task": "課題",
    "attention.task.sort": "小さい順に並べる",
    "attention.task.reverse": "逆順に並べる",
    "attention.task.text": "日本語の文章",
    "attention.experiment": "実験",
    "attention.experiment.none": "ふつうの GPT",
    "attention.experiment.no_mask": "マスクなし",
    "attention.experiment.one_head": "ヘッド 1 個",
    "attention.experiment.no_pos": "位置埋め込みなし",
    "attention.experiment_help": (
        "モデルを 1 か所だけ変えて学習します。マスクなし：後ろの位置も見える（カンニングできる）。"
        "ヘッド 1 個：各層の注意が 1 種類だけ。位置埋め込みなし：トークンの並び順を直接は知らない。"
    ),
    "attention.head_title": "層 {layer}・ヘッド {head}",
    "attention.hover": "位置 %{y} が位置 %{x} を見る重み：%{z:.2f}",
    "attention.val_loss": "検証損失",
    "attention.legend.loss": "損失",
    "attention.legend.acc": "正解率 %（自分で書く）",
    "attention.legend.token_acc": "正解率 %（1 桁ずつ見せる）",
    "attention.weight": "注意の重み",
    "attention.live_acc": (
        "ステップ {step}：学習に使っていない数列で、答え全体が正しい割合 **{acc:.1f}%**"
        "（正しい答えを途中まで見せて次の 1 桁を当てる割合は {token_acc:.1f}%）"
    ),
    "attention.live_sample": "ステップ {step} でモデルが書いた文：",
    "attention.waiting": "最初の記録を待っています…",
    "attention.maps_caption": (
        "ステップ {step} の注意。行＝見る側の位置、列＝見られる側の位置。"
        "数字の後の「→」から右が答えで、答えの各行がどの入力を見ているかが濃い青で分かります。"
    ),
    "attention.before_train": (
        "**学習開始** を押すと、ここに損失と正解率の曲線が出ます。右は学習済みモデルの注意です。"
        "学習を始めると、まだ何も知らないモデルの注意に置き換わり、パターンが育っていきます。"
    ),
    "attention.preview_caption": "学習済みモデルの注意（行＝見る側、列＝見られる側）。",
    "attention.steps": "学習ステップ数",
    "attention.how": "しくみ：Attention を 3 つのステップで",
    "attention.intro": (
        "各位置のベクトルから、線形変換で 3 つのベクトルを作ります。**クエリ Q**（何を探しているか）、"
        "**キー K**（自分は何か）、**バリュー V**（渡す中身）。下の例は 3 トークン、長さ 2 のベクトルです。"
    ),
    "attention.step1": "**1. スコア**：クエリとキーの内積を $\\sqrt{d}$ で割ります（$d$ = ベクトルの長さ = 2）。",
    "attention.step2": (
        "**2. マスク**：GPT は次のトークンを当てるので、自分より後ろの位置は見てはいけません。"
        "対角より右上を $-\\infty$ にします。"
    ),
    "attention.step3": (
        "**3. softmax と重み付き和**：各行を softmax で「合計 1 の重み」にし、その重みで V を足し合わせます。"
        "1 行目は自分しか見られないので重み 1 です。"
    ),
    "attention.multi_head": (
        "これを **ヘッド** ごとに別の Q・K・V で並行に行い（マルチヘッド）、結果をつなげます。"
        "上のヒートマップの 1 枚が 1 つのヘッドの重み（softmax の後の行列）です。"
    ),
    "attention.try": "試す",
    "attention.try_caption": "学習した（または学習済みの）モデルに入力を渡し、答えと、答えの各位置がどこを見たかを調べます。",
    "attention.try_digits": "数字 {n} 個（0〜9、例：3 1 4 1 5 9）",
    "attention.try_prompt": "書き出し（続きをモデルが書きます）",
    "attention.answer": "モデルの答え",
    "attention.right": "正解です",
    "attention.wrong": "正解は {truth} です",
    "attention.pick_position": "調べる出力の位置",
    "attention.layer": "層",
    "attention.heads_mean": "ヘッドの平均",
    "attention.head_n": "ヘッド {n}",
    "attention.which_head": "ヘッド",
    "attention.bars_caption": "答えの {pos} 番目（「{token}」）を書くとき、各入力位置に置いた重み（層 {layer}）。",
    "attention.text_bars_caption": "「{token}」を書くとき、それまでの各文字に置いた重み（層 {layer}）。",
    "attention.temperature": "温度（temperature）",
    "attention.temperature_help": "0 だと毎回いちばん確率の高い文字。大きいほど意外な文字が出ます。",
    "attention.top_k": "top-k（候補の数）",
    "attention.top_k_help": "次の文字を、確率の高い上位 k 文字の中だけから選びます。1 なら毎回いちばん確率の高い文字です。",
    "attention.n_chars": "書く文字数",
    "attention.generated": "モデルが書いた続き",
    "attention.using_session": "このセッションで学習したモデルを使っています。",
    "attention.using_shipped": "学習済みモデル（同梱）を使っています。自分で学習すると、そのモデルに切り替わります。",
    "attention.no_model": "この課題のモデルがまだありません。上で学習してください。",
    "attention.no_shipped": "同梱の学習済みモデルを読み込めません（{reason}）。上で学習すると試せます。",
    "attention.bad.empty": "数字を入力してください。",
    "attention.bad.chars": "数字（0〜9）だけを入力してください。{chars}は数字ではありません。",
    "attention.bad.length": "数字はちょうど {n} 個です（入力は {got} 個）。",
    "attention.bad.range": "使える数字は 0〜{top} です。",
    "attention.bad.unknown": (
        "{chars}は学習した文章に一度も出てこない文字なので、このモデルには使えません。"
        "下の書き出しの例を選ぶか、「モデルが知っている文字」にある字だけで書いてください。"
    ),
    "attention.bad.other_width": "全角・半角を変えれば使える文字があります：{pairs}。",
    "attention.bad.long": "書き出しは {n} 文字までにしてください。",
    "attention.experiments": "実験：1 か所だけ変えてみる",
    "attention.exp_intro": (
        "上の **実験** で設定を選んで学習すると、結果がこの表に並びます。予想してから試してみましょう。"
    ),
    "attention.exp.no_mask": (
        "**マスクなし**：学習中、各位置は次の正解の桁そのものを見られます。損失はすぐ 0 近くになり、"
        "「答えを 1 桁ずつ見せたとき」の正解率は 100% になります。ところが自分で答えを書くときは、"
        "まだ書いていない位置に何もないので、正解率はほぼ 0% です。ヒートマップでは対角の右上（未来）に色が付きます。"
    ),
    "attention.exp.one_head": (
        "**ヘッド 1 個**：各層で見る場所が 1 種類だけになります。並べ替えは 1 ヘッドでも解けますが、"
        "ヘッドが複数あると役割を分けられ、学習の速さやパターンの違いが見えます。"
    ),
    "attention.exp.no_pos": (
        "**位置埋め込みなし**：モデルは「何番目か」を直接は知りません。並べ替えは答えが数字の**個数**だけで決まるので"
        "解けますが、逆順は「何番目か」が必要なので解けません。課題を「逆順に並べる」にして比べてください。"
    ),
    "attention.col.task": "課題",
    "attention.col.experiment": "実験",
    "attention.col.acc": "正解率（自分で書く）",
    "attention.col.token_acc": "正解率（1 桁ずつ見せる）",
    "attention.col.first_99": "99% までの秒数",
    "attention.col.val_loss": "検証損失",
    "attention.col.seconds": "学習秒数",
    "attention.no_results": "まだ結果がありません。実験を選んで学習すると、ここに並びます。",
    "attention.review.q1": "スコアを $\\sqrt{d}$ で割るのはなぜでしょう？",
    "attention.review.a1": (
        "ベクトルが長いほど内積の値は大きくばらつき、softmax がほぼ 1 か 0 だけになって勾配が消えます。"
        "$\\sqrt{d}$ で割るとばらつきが $d$ によらずほぼ一定になります。"
    ),
    "attention.review.q2": "マスクを外すと学習の損失がすぐ下がるのに、答えを書かせると間違えるのはなぜでしょう？",
    "attention.review.a2": (
        "学習では答え全体が入力に並んでいるので、マスクがないと次の桁をそのまま写せます（カンニング）。"
        "生成では次の桁はまだ存在しないので、写す相手がいません。"
    ),
    "attention.review.q3": "位置埋め込みがないと、並べ替えはできて逆順はできないのはなぜでしょう？",
    "attention.review.a3": (
        "Attention は見る位置の集まりを順番に関係なく重み付けして足すだけなので、位置の情報がないと入力は"
        "「数字の袋」に見えます。並べ替えの答えは各数字の個数だけで決まりますが、逆順には何番目かが必要です。"
    ),
    "attention.review.q4": "softmax の後の重みの各行を足すといくつになりますか？ それは何を意味しますか？",
    "attention.review.a4": (
        "必ず 1 です。各位置は、見てよい位置の V を「合計 1 の割合」で混ぜた平均を受け取ります。"
        "ヒートマップの 1 行は、その割合の配分です。"
    ),
    "attention.char_quote": "「{c}」",
    "attention.char_sep": "、",
    "attention.progress": "ステップ {step} / {steps} ・ {pct:.0f}% ・ 残り約 {eta}",
    "attention.progress_noeta": "ステップ {step} / {steps} ・ {pct:.0f}%",
    "attention.saved": "ステップ {step} まで runs/ に保存しました。",
    "attention.restored": "保存から開いた学習です（{steps} ステップ分）。",
    "attention.opened": "保存した学習を開きました（{steps} ステップ分）。モデルと学習曲線が戻りました。",
    "attention.other_done": (
        "このセッションで最後に学習したのは「{task}」です。その曲線と注意は、課題を「{task}」に戻すと"
        "表示されます。"
    ),
    "attention.right_is_shipped": "右は今の課題の学習済みモデルの注意です。",
    "attention.before_train_new": (
        "**学習開始** を押すと、ここに損失と正解率の曲線が、右に注意のパターンが出ます。"
        "何も知らないモデルの注意から、パターンが育っていく様子を見てみましょう。"
    ),
    "attention.other_running": (
        "いま「{task}」の学習が進んでいます。経過を見るには課題を「{task}」に戻してください"
        "（「停止」はここからでも押せます）。"
    ),
    "attention.maps_large": "プロジェクター表示では、最後の層（層 {layer}）のヘッドだけを大きく表示しています。",
    "attention.wrong_rare": (
        "同じ数字が {k} 個以上ある並びは、学習用にランダムに作る数列では約 {one_in:,} 個に 1 個しか出てきません"
        "（このモデルが学習で見た約 {seen:,} 個の数列の中では、平均 {expected} 個ほど）。"
        "ほとんど見たことのない並びなので、間違えやすいのです。"
    ),
    "attention.hard": "モデルが苦手な入力",
    "attention.hard_caption": (
        "学習に使っていない {n} 個のランダムな数列で、答えの位置ごとに間違えた割合です（数列ごとの正解率 {acc:.1f}%）。"
        "1 か所間違えると、その後ろの数字も間違えやすくなります。"
    ),
    "attention.hard_errors_axis": "間違えた割合（%）",
    "attention.hard_position_axis": "答えの位置",
    "attention.hard_none": (
        "学習に使っていない {n} 個のランダムな数列でも、すべて同じ数字・同じ数字が多い・並べ済み・逆順の数列でも、"
        "間違いはありませんでした。"
    ),
    "attention.hard_wrong": (
        "間違えた入力（{family}）：**{x}** {sep} {answer}（正解は {truth}）。答えの {pos} 番目で最初に間違えました。"
    ),
    "attention.hard_map_caption": (
        "答えの {pos} 番目に「{token}」と書いたとき、各ヘッド（行）がどの位置（列）に重みを置いたか。"
        "色が濃いほど強く見ています。"
    ),
    "attention.family.random": "ランダム",
    "attention.family.equal": "すべて同じ数字",
    "attention.family.repeats": "同じ数字が多い",
    "attention.family.sorted": "並べ済み",
    "attention.family.reversed": "逆順",
    "attention.wrong_common": (
        "この入力は、学習でもよく出てくる種類の並びです。それでも間違えるのは、モデルがまだ完全ではないからです。"
        "ステップ数を増やして学習し直すと、正解が増えることがあります。"
    ),
    "attention.wrong_experiment": (
        "このモデルは実験「{experiment}」の設定で学習しました。間違えるのはその設定のためかもしれません"
        "（下の「実験：1 か所だけ変えてみる」の説明を読んでみてください）。"
    ),
    "attention.examples": "書き出しの例（選ぶと上の欄に入ります）",
    "attention.known_chars": "モデルが知っている文字（{n} 字）",
    "attention.known_caption": (
        "このモデルは、学習した文章（このラボのページの日本語、約 {total:,} 字）に出てくる文字しか知りません。"
        "「日」のようなよく使う字でも、その文章に出てこなければ使えません。"
    ),
    "attention.chars.hiragana": "ひらがな",
    "attention.chars.katakana": "カタカナ",
    "attention.chars.kanji": "漢字",
    "attention.chars.other": "英数字・記号（␣ は空白、⏎ は改行）",
    "attention.code_caption": "モデルの中心部分（core/models/gpt.py）。forward は上の 3 ステップをそのまま書いたものです。",
}

EN = {
    "nav.attention": "Attention (a tiny GPT)",
    "home.blurb.attention": "A tiny GPT learns to sort digits in a minute; watch its attention patterns form",
    "attention.title": "Attention in a tiny GPT",
    "attention.lead": (
        "The heart of a Transformer is **attention**: each position decides which positions to look at. "
        "Press **Train**: a tiny GPT learns to sort six digits while its attention forms on the right."
    ),
    "attention.task": "Task",
    "attention.task.sort": "Sort (smallest first)",
    "attention.task.reverse": "Reverse",
    "attention.task.text": "Japanese text",
    "attention.experiment": "Experiment",
    "attention.experiment.none": "Plain GPT",
    "attention.experiment.no_mask": "Mask off",
    "attention.experiment.one_head": "One head",
    "attention.experiment.no_pos": "No position embedding",
    "attention.experiment_help": (
        "Train with one change to the model. Mask off: later positions are visible too (the model can cheat). "
        "One head: one attention pattern per layer. No position embedding: the model is not told the order."
    ),
    "attention.head_title": "layer {layer} · head {head}",
    "attention.hover": "position %{y} looks at %{x}: %{z:.2f}",
    "attention.val_loss": "Validation loss",
    "attention.legend.loss": "loss",
    "attention.legend.acc": "own answer %",
    "attention.legend.token_acc": "shown so far %",
    "attention.weight": "Attention weight",
    "attention.live_acc": (
        "Step {step}: whole answers right on sequences it never trained on: **{acc:.1f}%** "
        "(next digit right when shown the true answer so far: {token_acc:.1f}%)"
    ),
    "attention.live_sample": "What the model writes at step {step}:",
    "attention.waiting": "Waiting for the first record…",
    "attention.maps_caption": (
        "Attention at step {step}. Row = the position looking, column = the position looked at. Right of the "
        "“→” is the answer: dark blue shows which input each answer digit reads."
    ),
    "attention.before_train": (
        "Press **Train** and the loss and accuracy curves appear here. On the right is a trained model's "
        "attention; once you train, a model that knows nothing yet replaces it and the pattern forms."
    ),
    "attention.preview_caption": "A trained model's attention (row = looking, column = looked at).",
    "attention.steps": "Training steps",
    "attention.how": "How it works: attention in three steps",
    "attention.intro": (
        "From each position's vector, linear maps make three vectors: a **query Q** (what am I looking for), a "
        "**key K** (what am I) and a **value V** (what I pass on). The example has 3 tokens and vectors of length 2."
    ),
    "attention.step1": "**1. Scores**: the dot products of queries and keys, divided by $\\sqrt{d}$ ($d$ = 2).",
    "attention.step2": (
        "**2. Mask**: a GPT predicts the next token, so it must not look at later positions. Everything "
        "above the diagonal becomes $-\\infty$."
    ),
    "attention.step3": (
        "**3. Softmax and weighted sum**: softmax turns each row into weights summing to 1, and those weights mix "
        "the values V. The first row can only see itself: weight 1."
    ),
    "attention.multi_head": (
        "Each **head** does this with its own Q, K and V in parallel (multi-head attention), and the results are "
        "joined. Each heatmap above is one head's weights (the matrix after softmax)."
    ),
    "attention.try": "Try it",
    "attention.try_caption": "Give the trained (or shipped) model an input; see its answer and where each answer position looked.",
    "attention.try_digits": "{n} digits (0-9, e.g. 3 1 4 1 5 9)",
    "attention.try_prompt": "A beginning (the model writes on)",
    "attention.answer": "The model's answer",
    "attention.right": "Right",
    "attention.wrong": "The right answer is {truth}",
    "attention.pick_position": "Output position to inspect",
    "attention.layer": "Layer",
    "attention.heads_mean": "mean of heads",
    "attention.head_n": "head {n}",
    "attention.which_head": "Head",
    "attention.bars_caption": "Writing answer digit {pos} (“{token}”): the weight on each input position (layer {layer}).",
    "attention.text_bars_caption": "Writing “{token}”: the weight on each earlier character (layer {layer}).",
    "attention.temperature": "Temperature",
    "attention.temperature_help": "0 always takes the most likely character; higher values allow surprising ones.",
    "attention.top_k": "top-k (candidates)",
    "attention.top_k_help": "The next character is drawn from the k most likely ones only; 1 always takes the most likely.",
    "attention.n_chars": "Characters to write",
    "attention.generated": "What the model wrote",
    "attention.using_session": "Using the model trained in this session.",
    "attention.using_shipped": "Using the shipped trained model; train your own and it switches to yours.",
    "attention.no_model": "No model for this task yet: train one above.",
    "attention.no_shipped": "The shipped model cannot be loaded ({reason}). Train one above to try it.",
    "attention.bad.empty": "Type some digits.",
    "attention.bad.chars": "Digits (0-9) only, please (not {chars}).",
    "attention.bad.length": "Exactly {n} digits, please (you typed {got}).",
    "attention.bad.range": "The digits 0-{top} only.",
    "attention.bad.unknown": (
        "The model never saw {chars} in its training text, so it cannot read them. Pick one of the example "
        "beginnings below, or use only characters listed under “Characters the model knows”."
    ),
    "attention.bad.other_width": "Some of them it knows in the other width: {pairs}.",
    "attention.bad.long": "At most {n} characters, please.",
    "attention.experiments": "Experiments: change one thing",
    "attention.exp_intro": "Pick an **Experiment** above and train: the results line up in this table. Guess first, then try.",
    "attention.exp.no_mask": (
        "**Mask off**: in training each position can see the very digit it must predict. The loss drops to "
        "almost 0 and “shown the answer so far” reaches 100%. But when it writes the answer itself, the later "
        "positions are still empty, and its accuracy is about 0%. The heatmaps light up above the diagonal: the future."
    ),
    "attention.exp.one_head": (
        "**One head**: one place to look per layer. Sorting is still solvable with one head, but several heads "
        "can split the work; compare how fast it learns and what the patterns look like."
    ),
    "attention.exp.no_pos": (
        "**No position embedding**: the model is not told which position is which. Sorting still works, since "
        "the answer depends only on **how many** of each digit there are; reversing needs the order and fails. "
        "Switch the task to “Reverse” and compare."
    ),
    "attention.col.task": "Task",
    "attention.col.experiment": "Experiment",
    "attention.col.acc": "Accuracy (own answer)",
    "attention.col.token_acc": "Accuracy (shown so far)",
    "attention.col.first_99": "Seconds to 99%",
    "attention.col.val_loss": "Validation loss",
    "attention.col.seconds": "Training seconds",
    "attention.no_results": "No results yet: pick an experiment and train.",
    "attention.review.q1": "Why are the scores divided by $\\sqrt{d}$?",
    "attention.review.a1": (
        "The longer the vectors, the more their dot products spread, and softmax becomes nearly all 0 or 1, with "
        "vanishing gradients. Dividing by $\\sqrt{d}$ keeps the spread about the same whatever $d$ is."
    ),
    "attention.review.q2": "With the mask off the training loss falls at once. Why does the model then get the answers wrong?",
    "attention.review.a2": (
        "In training the whole answer is in the input, so without a mask the next digit can simply be copied "
        "(cheating). When generating, the next digit does not exist yet: there is nothing to copy."
    ),
    "attention.review.q3": "Without a position embedding, why does sorting work but reversing fail?",
    "attention.review.a3": (
        "Attention weights and adds the positions it sees regardless of their order, so without positions the input "
        "looks like a bag of digits. A sorted answer depends only on how many of each digit there are; reversing "
        "needs to know which came where."
    ),
    "attention.review.q4": "What does each row of the weights after softmax sum to, and what does that mean?",
    "attention.review.a4": (
        "Always 1. Each position receives an average of the values it may see, mixed in shares that sum to 1. One "
        "row of a heatmap is that split."
    ),
    "attention.char_quote": "“{c}”",
    "attention.char_sep": ", ",
    "attention.progress": "Step {step} / {steps} · {pct:.0f}% · about {eta} left",
    "attention.progress_noeta": "Step {step} / {steps} · {pct:.0f}%",
    "attention.saved": "Saved to runs/ up to step {step}.",
    "attention.restored": "A run reopened from its save ({steps} steps).",
    "attention.opened": "Saved run opened ({steps} steps). The model and its curves are back.",
    "attention.other_done": (
        "The last run of this session was “{task}”: its curves and attention come back when you switch the task "
        "to “{task}”."
    ),
    "attention.right_is_shipped": " On the right is a trained model's attention for the task chosen now.",
    "attention.before_train_new": (
        "Press **Train**: the loss and accuracy curves appear here and the attention on the right, a pattern "
        "growing from a model that knows nothing yet."
    ),
    "attention.other_running": (
        "A “{task}” run is training. Switch the task back to “{task}” to watch it (Stop works from here too)."
    ),
    "attention.maps_large": "Projector mode shows the heads of the last layer (layer {layer}) only, larger.",
    "attention.wrong_rare": (
        "Inputs with {k} or more of the same digit are about 1 in {one_in:,} of the random sequences it trains "
        "on (about {expected} among the {seen:,} sequences this model saw). It has hardly ever seen one, so it "
        "gets them wrong more easily."
    ),
    "attention.hard": "Inputs the model finds hard",
    "attention.hard_caption": (
        "How often each answer position is wrong, over {n} random sequences never trained on ({acc:.1f}% of "
        "the sequences right). One wrong digit often makes the digits after it wrong too."
    ),
    "attention.hard_errors_axis": "Wrong (%)",
    "attention.hard_position_axis": "Answer position",
    "attention.hard_none": (
        "No wrong answer: not on {n} random sequences never trained on, nor on all-equal, many-repeats, "
        "already sorted or reversed ones."
    ),
    "attention.hard_wrong": (
        "A wrong answer ({family}): **{x}** {sep} {answer} (right: {truth}). The first wrong digit is answer "
        "digit {pos}."
    ),
    "attention.hard_map_caption": (
        "Writing answer digit {pos} (“{token}”): where each head (a row) put its weight (columns: positions). "
        "Darker is stronger."
    ),
    "attention.family.random": "random",
    "attention.family.equal": "all the same digit",
    "attention.family.repeats": "many repeats",
    "attention.family.sorted": "already sorted",
    "attention.family.reversed": "reversed",
    "attention.wrong_common": (
        "This kind of input is common in training; the model simply is not perfect yet. Training again with "
        "more steps often fixes answers like this one."
    ),
    "attention.wrong_experiment": (
        "This model was trained with the experiment “{experiment}”, which may be why it is wrong (read that "
        "experiment under “Experiments: change one thing” below)."
    ),
    "attention.examples": "Example beginnings (pick one to put it in the box)",
    "attention.known_chars": "Characters the model knows ({n})",
    "attention.known_caption": (
        "This model knows only the characters of its training text (the lab's Japanese page texts, about "
        "{total:,} characters). Even a common character such as 日 is unknown to it if that text never uses it."
    ),
    "attention.chars.hiragana": "Hiragana",
    "attention.chars.katakana": "Katakana",
    "attention.chars.kanji": "Kanji",
    "attention.chars.other": "Letters, digits and signs (␣ a space, ⏎ a new line)",
    "attention.code_caption": "The heart of the model (core/models/gpt.py): forward writes out the three steps above.",
}
