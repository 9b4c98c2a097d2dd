"""Hyperparameters page (course 000 section 2.4 and Part 1 columns on epochs; 002 section 6)."""

JA = {
    "nav.hyperparams": "ハイパーパラメータ",
    "home.blurb.hyperparams": "学習率・バッチサイズなどを変えて実験を並べ、過学習を観察する",
    "hyperparams.title": "ハイパーパラメータ：実験を並べて比べる",
    "hyperparams.intro": (
        "学習率・バッチサイズ・エポック数・畳み込み層のチャネル数のように、**人が学習の前に決める値** を "
        "ハイパーパラメータと呼びます（コース 2.4）。値を 1 つか 2 つ変えた実験をまとめて登録すると、"
        "CNN ページと同じ CNN を MNIST（または下で選ぶ Fashion-MNIST）で 1 本ずつ順番に学習し、"
        "すべての曲線と結果を同じグラフ・表で比べられます。"
        "既定の「学習率 0.001 → 0.01 → 0.1」の比較は CPU でも数秒〜数十秒で終わります。"
    ),
    "hyperparams.presets": "コースの演習をワンクリックで",
    "hyperparams.presets_caption": "ボタンを押すと比べる値と基本設定が入ります。あとは「学習開始」を押すだけです。",
    "hyperparams.preset.lr": "学習率 0.001→0.01→0.1",
    "hyperparams.preset.batch": "バッチ 32→64→128",
    "hyperparams.preset.channels": "チャネル (16,32)→(32,64)",
    "hyperparams.preset.epochs": "エポック 5→10",
    "hyperparams.preset.optimizer": "SGD・モメンタム・Adam",
    "hyperparams.preset.overfit": "過学習を見る",
    "hyperparams.preset.lr_batch": "学習率 × バッチ",
    "hyperparams.design": "実験を設計する",
    "hyperparams.vary1": "変えるハイパーパラメータ 1",
    "hyperparams.vary2": "変えるハイパーパラメータ 2（任意）",
    "hyperparams.values": "比べる値",
    "hyperparams.none": "（なし）",
    "hyperparams.base": "そのほかの設定（変えないもの）",
    "hyperparams.base_caption": "上で「変える」に選んだ項目は、ここではなく比べる値が使われます。",
    "hyperparams.train_size": "学習に使う画像の枚数",
    "hyperparams.n_runs": "登録される実験：**{n} 本**（{epochs} エポック分）。検証用画像 {val} 枚・データ：{source}",
    "hyperparams.err.same_param": "同じハイパーパラメータを 2 回選んでいます。2 つ目は別の項目にしてください。",
    "hyperparams.err.no_values": "比べる値を 1 つ以上選んでください。",
    "hyperparams.err.too_many": "実験が {n} 本になります。1 回に登録できるのは {max} 本までです。値を減らしてください。",
    "hyperparams.param.lr": "学習率",
    "hyperparams.param.batch_size": "バッチサイズ",
    "hyperparams.param.epochs": "エポック数",
    "hyperparams.param.optimizer": "最適化手法",
    "hyperparams.param.channels": "チャネル数（conv1, conv2）",
    "hyperparams.param.dropout": "ドロップアウト率",
    "hyperparams.param.weight_decay": "重み減衰（L2 正則化）",
    "hyperparams.param.schedule": "学習率スケジュール",
    "hyperparams.short.lr": "学習率",
    "hyperparams.short.batch_size": "バッチ",
    "hyperparams.short.epochs": "エポック",
    "hyperparams.short.optimizer": "最適化",
    "hyperparams.short.channels": "チャネル",
    "hyperparams.short.dropout": "ドロップアウト",
    "hyperparams.short.weight_decay": "重み減衰",
    "hyperparams.short.schedule": "スケジュール",
    "hyperparams.opt.adam": "Adam",
    "hyperparams.opt.sgd": "SGD",
    "hyperparams.opt.sgd_momentum": "SGD＋モメンタム",
    "hyperparams.sched.none": "一定",
    "hyperparams.sched.step": "StepLR",
    "hyperparams.sched.cosine": "コサイン",
    "hyperparams.base_run": "基本設定",
    "hyperparams.train": "学習開始（{n} 本）",
    "hyperparams.add": "キューに追加（{n} 本）",
    "hyperparams.stop": "この実験を停止",
    "hyperparams.cancel": "残りを取り消す",
    "hyperparams.clear": "履歴を消す",
    "hyperparams.stop_help": "今の実験をここで終わらせ（それまでの結果は残ります）、次の実験に進みます。",
    "hyperparams.progress": "実験 {i} / {n}：{run} ・ エポック {epoch} / {epochs}",
    "hyperparams.progress_wait": "次の実験を準備しています…",
    "hyperparams.finished": "キューが終わりました（{seconds:.1f} 秒）：{summary}。",
    "hyperparams.count": "{status} {n} 本",
    "hyperparams.sep": "・",
    "hyperparams.empty": "まだ実験がありません。プリセットを選ぶか値を選んで「学習開始」を押してください。",
    "hyperparams.compare": "比べる",
    "hyperparams.show": "表示する実験（クリックで表示・非表示）",
    "hyperparams.chart.val_acc": "検証正解率（%）",
    "hyperparams.log": "損失を対数目盛で",
    "hyperparams.chart_caption": (
        "左：実線が学習損失、破線が検証損失（同じ色が同じ実験）。★ は検証損失が最も低かったエポック（ベストエポック）。"
        "右：検証正解率。点にマウスを乗せると実験・エポック・値が出ます。"
    ),
    "hyperparams.best_epoch": "ベストエポック（検証損失が最小）",
    "hyperparams.results": "結果の表",
    "hyperparams.results_caption": (
        "正解率（%）は検証用データ（学習に使っていない画像）で測っています。「ベスト」は検証損失が最も低かった"
        "エポック（ベストエポック）、「エポック」は終えた数／予定の数です。見出しをクリックすると並べ替えられ、"
        "マウスを乗せると説明が出ます。"
    ),
    "hyperparams.col.run": "実験",
    "hyperparams.col.settings": "設定",
    "hyperparams.col.status": "状態",
    "hyperparams.col.final_acc": "最終正解率",
    "hyperparams.col.best_acc": "最高正解率",
    "hyperparams.col.best_epoch": "ベスト",
    "hyperparams.col.epochs": "エポック",
    "hyperparams.col.wall": "秒",
    "hyperparams.col.speed": "画像/秒",
    "hyperparams.col.params": "パラメータ",
    "hyperparams.colhelp.run": "実験の番号と、変えた設定の値",
    "hyperparams.colhelp.status": "実験がいまどうなっているか（完了、途中で停止、発散など）",
    "hyperparams.colhelp.final_acc": "最後のエポックの検証正解率（%）",
    "hyperparams.colhelp.best_acc": "いちばん高かった検証正解率（%）",
    "hyperparams.colhelp.best_epoch": "ベストエポック：検証損失が最も低かったエポック",
    "hyperparams.colhelp.epochs": "終えたエポック数／予定のエポック数",
    "hyperparams.colhelp.wall": "学習にかかった時間（秒）",
    "hyperparams.colhelp.speed": "1 秒あたりに学習した画像の枚数",
    "hyperparams.colhelp.params": "モデルのパラメータ（重みとバイアス）の数",
    "hyperparams.status.queued": "待機中",
    "hyperparams.status.running": "学習中",
    "hyperparams.status.done": "完了",
    "hyperparams.status.stopped": "途中で停止",
    "hyperparams.status.diverged": "発散・失敗",
    "hyperparams.status.cancelled": "取り消し",
    "hyperparams.status.error": "エラー",
    "hyperparams.csv": "表を CSV で保存",
    "hyperparams.diverged.nan": (
        "{run}：損失が NaN（非数）になり、学習が壊れたのでこの実験を打ち切りました。学習率が大きすぎると、"
        "1 回の更新で重みが飛びすぎて損失が発散します（002 の Q7）。学習率を 1/10 にしてみましょう。"
    ),
    "hyperparams.diverged.exploded": (
        "{run}：損失が爆発しました（最初 {first:.2f} → 最大 {peak:.3g}）。学習率が大きすぎて重みが一気に壊れ、"
        "その後は正解率が 10%（あてずっぽう）のまま戻りません。コースの「lr=0.1 → 損失が発散 ❌」の例です。"
    ),
    "hyperparams.diverged.stuck": (
        "{run}：正解率が 10% 前後（あてずっぽうと同じ）のまま学習が進みませんでした。学習率が大きすぎて "
        "ReLU が出力 0 のまま固まった（「死んだ」）可能性があります。学習率を下げてみましょう。"
    ),
    "hyperparams.run_error": "{run}：エラーで止まりました（{error}）。次の実験に進みます。",
    "hyperparams.keep": "ベストモデルを残す",
    "hyperparams.keep_intro": (
        "コースのコラム 2 のとおり、実際の開発では「検証損失が最も低かったエポックのモデル」を採用します。"
        "各実験はベストエポックの重みを自動で取っておくので、ここから保存できます。保存した .pth は CNN ページの"
        "「学習」タブ→「モデルファイル（.pth）を読み込む」で使えます。"
    ),
    "hyperparams.keep_run": "保存する実験",
    "hyperparams.keep_button": "ベストモデルを保存（.pth）",
    "hyperparams.keep_caption": "{run}：エポック {epoch} の重み（検証損失 {loss:.3f}・検証正解率 {acc:.1f}%）。",
    "hyperparams.keep_none": "まだ 1 エポックも終わった実験がありません。",
    "hyperparams.overfit_note": (
        "**過学習の見方**：{run} では学習損失が下がり続ける一方で、検証損失はエポック {best} で最小になり、"
        "その後は上がっています（{best_loss:.3f} → {final_loss:.3f}）。モデルが学習用の画像を「暗記」し始めた"
        "サインです。ここで止めたモデル（★）を残すのが正解です。ドロップアウトや重み減衰、データを増やすことも効きます。"
    ),
    "hyperparams.tips": "各ハイパーパラメータの意味と試し方",
    "hyperparams.tip.lr": (
        "**学習率**：1 回の更新で重みをどれだけ動かすか。Adam なら 0.001 が標準です。大きすぎると損失が発散し"
        "（lr=0.1 ❌）、小さすぎると学習が遅くなります（lr=0.00001 ❌）。0.001 で精度が上がらなければ 0.0001 も"
        "試しましょう（002 の Q2・Q6）。"
    ),
    "hyperparams.tip.batch_size": (
        "**バッチサイズ**：1 回の更新に使う画像の枚数。小さい（8〜16）とメモリを節約でき汎化しやすい反面、"
        "学習が不安定で遅く、大きい（128〜256）と安定して速い反面、メモリを多く使い汎化性能が下がることがあります。"
        "まずは 32 から、余裕があれば 64 へ（002 の Q1）。"
    ),
    "hyperparams.tip.epochs": (
        "**エポック数**：学習データを何周するか。増やしすぎると過学習や計算時間の増加、損失の飽和（サチる）が"
        "起こります。まず 5〜10 エポックで様子を見て、損失が下がり続けるなら増やします。検証損失が上がり始めたら"
        "過学習のサインです（第 1 部コラム 1・2、002 の Q3）。"
    ),
    "hyperparams.tip.capacity": (
        "**チャネル数（モデルの大きさ）**：畳み込み層のフィルタ数を (16, 32) → (32, 64) に増やすと、表現力は"
        "上がりますがパラメータ数と計算時間も増えます（コース 2.4 の演習 3）。表の「パラメータ数」「画像/秒」"
        "と正解率を見比べましょう。メモリが足りないときはチャネル数を減らします（002 の Q5）。"
    ),
    "hyperparams.tip.regularization": (
        "**ドロップアウト・重み減衰**：学習中にランダムにニューロンを無効にしたり、重みを小さく保ったりして"
        "過学習を防ぎます。「過学習を見る」プリセットで、ドロップアウト 0 と 0.5 の検証損失を比べてみましょう。"
    ),
    "hyperparams.tip.optimizer": (
        "**最適化手法・スケジュール**：SGD は勾配の方向に一定の歩幅で進み、モメンタムは勢いをつけ、Adam は"
        "パラメータごとに歩幅を自動で調整します。StepLR やコサインは学習の後半に学習率を下げ、最後の仕上げを"
        "細かくします（002 の Q2「学習率スケジューリング」）。"
    ),
    "hyperparams.code_caption": "このページが 1 本の実験ごとに実行していること（core/experiments.py の要約）：",
    "hyperparams.review.q1": "学習率を 0.001 → 0.01 → 0.1 と変えると、損失の下がり方と正解率はどう変わりましたか？",
    "hyperparams.review.a1": (
        "この設定では 0.01 が最も速く下がり、0.001 はゆっくり、0.1 は損失が爆発して正解率が 10% のままになります。"
        "学習率は大きすぎても小さすぎてもいけません。"
    ),
    "hyperparams.review.q2": "過学習が起きていることは、グラフのどこを見ればわかりますか？",
    "hyperparams.review.a2": "学習損失は下がり続けるのに、検証損失が途中から上がり始めるところです。その最小点（★）のモデルを残します。",
    "hyperparams.review.q3": "バッチサイズを 32 → 128 にすると、1 エポックの時間と正解率はどう変わりましたか？",
    "hyperparams.review.a3": (
        "1 回の計算にまとめる枚数が増えるので 1 エポックは速くなりますが、更新回数が 1/4 になるため、"
        "同じエポック数では正解率が少し下がることがあります。"
    ),
}

EN = {
    "nav.hyperparams": "Hyperparameters",
    "home.blurb.hyperparams": "Vary learning rate, batch size and more; compare runs; watch overfitting",
    "hyperparams.title": "Hyperparameters: run experiments side by side",
    "hyperparams.intro": (
        "Values that **you choose before training** — learning rate, batch size, number of epochs, the "
        "convolution layers' channel counts — are called hyperparameters (course 2.4). Register experiments "
        "that vary one or two of them: the CNN of the CNN page is trained on MNIST (or Fashion-MNIST, chosen "
        "below) once per setting, one run after another, and every run's curves and results land on the same charts and table. The default "
        "comparison (learning rate 0.001 → 0.01 → 0.1) takes seconds to a few tens of seconds on a CPU."
    ),
    "hyperparams.presets": "The course's exercises in one click",
    "hyperparams.presets_caption": "A button fills in the values to compare and the base settings; then press Train.",
    "hyperparams.preset.lr": "Learning rate 0.001→0.01→0.1",
    "hyperparams.preset.batch": "Batch 32→64→128",
    "hyperparams.preset.channels": "Channels (16,32)→(32,64)",
    "hyperparams.preset.epochs": "Epochs 5→10",
    "hyperparams.preset.optimizer": "SGD · momentum · Adam",
    "hyperparams.preset.overfit": "Watch overfitting",
    "hyperparams.preset.lr_batch": "Learning rate × batch",
    "hyperparams.design": "Design the experiment",
    "hyperparams.vary1": "Hyperparameter to vary",
    "hyperparams.vary2": "Second hyperparameter (optional)",
    "hyperparams.values": "Values to compare",
    "hyperparams.none": "(none)",
    "hyperparams.base": "Other settings (kept fixed)",
    "hyperparams.base_caption": "For a hyperparameter chosen above, the values to compare are used instead of this.",
    "hyperparams.train_size": "Training images used",
    "hyperparams.n_runs": "Runs to register: **{n}** ({epochs} epochs in all). {val} validation images · data: {source}",
    "hyperparams.err.same_param": "The same hyperparameter is chosen twice. Pick a different second one.",
    "hyperparams.err.no_values": "Choose at least one value to compare.",
    "hyperparams.err.too_many": "That makes {n} runs; at most {max} can be registered at once. Choose fewer values.",
    "hyperparams.param.lr": "Learning rate",
    "hyperparams.param.batch_size": "Batch size",
    "hyperparams.param.epochs": "Epochs",
    "hyperparams.param.optimizer": "Optimizer",
    "hyperparams.param.channels": "Channels (conv1, conv2)",
    "hyperparams.param.dropout": "Dropout rate",
    "hyperparams.param.weight_decay": "Weight decay (L2)",
    "hyperparams.param.schedule": "Learning-rate schedule",
    "hyperparams.short.lr": "lr",
    "hyperparams.short.batch_size": "batch",
    "hyperparams.short.epochs": "epochs",
    "hyperparams.short.optimizer": "opt",
    "hyperparams.short.channels": "channels",
    "hyperparams.short.dropout": "dropout",
    "hyperparams.short.weight_decay": "wd",
    "hyperparams.short.schedule": "schedule",
    "hyperparams.opt.adam": "Adam",
    "hyperparams.opt.sgd": "SGD",
    "hyperparams.opt.sgd_momentum": "SGD + momentum",
    "hyperparams.sched.none": "constant",
    "hyperparams.sched.step": "StepLR",
    "hyperparams.sched.cosine": "cosine",
    "hyperparams.base_run": "base settings",
    "hyperparams.train": "Train ({n} runs)",
    "hyperparams.add": "Add to queue ({n} runs)",
    "hyperparams.stop": "Stop this run",
    "hyperparams.cancel": "Cancel the rest",
    "hyperparams.clear": "Clear history",
    "hyperparams.stop_help": "Ends the current run here (what it reached is kept) and moves on to the next one.",
    "hyperparams.progress": "Run {i} of {n}: {run} · epoch {epoch} / {epochs}",
    "hyperparams.progress_wait": "Preparing the next run…",
    "hyperparams.finished": "The queue has ended ({seconds:.1f} s): {summary}.",
    "hyperparams.count": "{n} {status}",
    "hyperparams.sep": ", ",
    "hyperparams.empty": "No runs yet. Pick a preset or choose values, then press Train.",
    "hyperparams.compare": "Compare",
    "hyperparams.show": "Runs shown (click to show or hide)",
    "hyperparams.chart.val_acc": "Validation accuracy (%)",
    "hyperparams.log": "Log-scale loss",
    "hyperparams.chart_caption": (
        "Left: solid lines are training loss, dashed lines validation loss (one colour per run). ★ marks the "
        "epoch with the lowest validation loss (the best epoch). Right: validation accuracy. Hover a point "
        "to see run, epoch and value."
    ),
    "hyperparams.best_epoch": "best epoch (lowest validation loss)",
    "hyperparams.results": "Results",
    "hyperparams.results_caption": (
        "Accuracy (%) is measured on validation images the model never trained on. “Best epoch” is the epoch "
        "with the lowest validation loss; “Epochs” counts those done of those planned. Click a header to "
        "sort; hover it for what it means."
    ),
    "hyperparams.col.run": "Run",
    "hyperparams.col.settings": "Settings",
    "hyperparams.col.status": "Status",
    "hyperparams.col.final_acc": "Final acc.",
    "hyperparams.col.best_acc": "Best acc.",
    "hyperparams.col.best_epoch": "Best epoch",
    "hyperparams.col.epochs": "Epochs",
    "hyperparams.col.wall": "Seconds",
    "hyperparams.col.speed": "Images/s",
    "hyperparams.col.params": "Parameters",
    "hyperparams.colhelp.run": "The run's number and the values it varied",
    "hyperparams.colhelp.status": "Where the run stands: done, stopped early, diverged…",
    "hyperparams.colhelp.final_acc": "Validation accuracy after the last epoch (%)",
    "hyperparams.colhelp.best_acc": "The highest validation accuracy of any epoch (%)",
    "hyperparams.colhelp.best_epoch": "The epoch with the lowest validation loss",
    "hyperparams.colhelp.epochs": "Epochs done / epochs planned",
    "hyperparams.colhelp.wall": "Training time in seconds",
    "hyperparams.colhelp.speed": "Training images processed per second",
    "hyperparams.colhelp.params": "Number of parameters (weights and biases) of the model",
    "hyperparams.status.queued": "waiting",
    "hyperparams.status.running": "training",
    "hyperparams.status.done": "done",
    "hyperparams.status.stopped": "stopped early",
    "hyperparams.status.diverged": "diverged / failed",
    "hyperparams.status.cancelled": "cancelled",
    "hyperparams.status.error": "error",
    "hyperparams.csv": "Download the table (CSV)",
    "hyperparams.diverged.nan": (
        "{run}: the loss became NaN (not a number), so this run was ended. With too large a learning rate one "
        "update throws the weights so far that the loss diverges (002, Q7). Try a learning rate ten times smaller."
    ),
    "hyperparams.diverged.exploded": (
        "{run}: the loss exploded (from {first:.2f} to {peak:.3g}). The learning rate is so large that the "
        "weights were wrecked at once, and accuracy then stays at 10 % (guessing). This is the course's "
        '"lr=0.1 → the loss diverges ❌" example.'
    ),
    "hyperparams.diverged.stuck": (
        "{run}: accuracy stayed near 10 % (the same as guessing) and did not improve. Too large a learning rate "
        'can leave the ReLUs stuck at zero ("dead"). Lower the learning rate.'
    ),
    "hyperparams.run_error": "{run}: stopped with an error ({error}). The queue goes on.",
    "hyperparams.keep": "Keep the best model",
    "hyperparams.keep_intro": (
        "As column 2 of the course says, in practice one keeps the model of the epoch with the lowest "
        "validation loss. Every run keeps its best epoch's weights, so you can save them here; the .pth file "
        'loads on the CNN page (Train tab → "Load a model file (.pth)").'
    ),
    "hyperparams.keep_run": "Run to save",
    "hyperparams.keep_button": "Save the best model (.pth)",
    "hyperparams.keep_caption": "{run}: weights of epoch {epoch} (validation loss {loss:.3f}, accuracy {acc:.1f} %).",
    "hyperparams.keep_none": "No run has finished an epoch yet.",
    "hyperparams.overfit_note": (
        "**Reading overfitting**: in {run} the training loss keeps falling, while the validation loss is "
        "lowest at epoch {best} and rises afterwards ({best_loss:.3f} → {final_loss:.3f}). The model has started "
        "to memorise its training images. Keep the model of the ★ epoch; dropout, weight decay and more data help too."
    ),
    "hyperparams.tips": "What each hyperparameter does, and what to try",
    "hyperparams.tip.lr": (
        "**Learning rate**: how far one update moves the weights. 0.001 is the usual value for Adam. Too large "
        "and the loss diverges (lr=0.1 ❌); too small and learning is slow (lr=0.00001 ❌). If 0.001 does not "
        "improve accuracy, try 0.0001 (002, Q2 and Q6)."
    ),
    "hyperparams.tip.batch_size": (
        "**Batch size**: images per update. Small batches (8–16) save memory and often generalise better, but "
        "learning is noisy and slow; large ones (128–256) are stable and fast but use more memory and may "
        "generalise worse. Start at 32, go to 64 if memory allows (002, Q1)."
    ),
    "hyperparams.tip.epochs": (
        "**Epochs**: passes over the training data. Too many bring overfitting, longer training and a loss that "
        "stops falling (saturation). Start with 5–10 epochs and add more while the loss keeps falling; a rising "
        "validation loss is the sign of overfitting (Part 1 columns 1–2; 002, Q3)."
    ),
    "hyperparams.tip.capacity": (
        "**Channels (model size)**: more filters, (16, 32) → (32, 64), give the model more capacity but more "
        "parameters and time (course 2.4, exercise 3). Compare the Parameters and Images/s columns with "
        "accuracy. Out of memory? Use fewer channels (002, Q5)."
    ),
    "hyperparams.tip.regularization": (
        "**Dropout and weight decay**: switching random neurons off during training, or keeping weights small, "
        'fights overfitting. Compare dropout 0 and 0.5 with the "Watch overfitting" preset.'
    ),
    "hyperparams.tip.optimizer": (
        "**Optimizer and schedule**: SGD steps along the gradient with a fixed step, momentum adds inertia, and "
        "Adam adapts the step per parameter. StepLR and cosine lower the learning rate later in training for "
        'finer final steps (002, Q2, "learning-rate scheduling").'
    ),
    "hyperparams.code_caption": "What this page runs for each experiment (a summary of core/experiments.py):",
    "hyperparams.review.q1": "How did the loss and accuracy change for learning rates 0.001 → 0.01 → 0.1?",
    "hyperparams.review.a1": (
        "Here 0.01 falls fastest, 0.001 falls slowly, and 0.1 makes the loss explode and accuracy stay at 10 %. "
        "A learning rate can be too large as well as too small."
    ),
    "hyperparams.review.q2": "Where on the chart do you see overfitting?",
    "hyperparams.review.a2": "Where the training loss keeps falling but the validation loss starts to rise. Keep the model at its minimum (★).",
    "hyperparams.review.q3": "With batch size 32 → 128, how did the time per epoch and the accuracy change?",
    "hyperparams.review.a3": (
        "More images per computation make an epoch faster, but with a quarter of the updates the accuracy after "
        "the same number of epochs can be a little lower."
    ),
}
