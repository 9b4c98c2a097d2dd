"""Keeping a model page (primer 001, 8.1 saving and loading, 8.2 GPU, 8.4 TorchScript; the CIFAR-10 guide's
ONNX export)."""

JA = {
    "nav.keeping": "モデルの保存と書き出し",
    "home.blurb.keeping": ".pth の中身、読み込みエラーの直し方、学習の再開、ONNX への書き出し",
    "keeping.title": "モデルの保存と書き出し",
    "keeping.intro": (
        "学習したモデルは **state_dict**（層の名前 → 重みのテンソル の辞書）として保存するのが基本です。"
        "ファイルの中身を開いて見て、よくある読み込みエラーを実際に起こして直し、学習の再開と書き出しも試します。"
    ),
    # inside a .pth
    "keeping.inside": "1. .pth ファイルの中身",
    "keeping.pick": "開くファイル",
    "keeping.shipped": "配布モデル：{file}",
    "keeping.run": "自分の保存した学習：{label}",
    "keeping.no_runs": "サイドバーに名前を入れて学習すると、自分の保存したモデルもここで開けます。",
    "keeping.file_size": "ファイル",
    "keeping.tensor_size": "テンソル",
    "keeping.params": "パラメータ数",
    "keeping.col.name": "名前（state_dict のキー）",
    "keeping.col.shape": "形",
    "keeping.col.dtype": "型",
    "keeping.col.bytes": "バイト数",
    "keeping.inside_caption": (
        "キーの名前は、モデルの属性名（layer1 など）と、その中の番号・weight/bias をつないだものです。"
        "float32 は 1 個 4 バイトなので、バイト数 ＝ 要素数 × 4 です。"
    ),
    "keeping.meta": "重みと一緒に保存されている情報（設定・エポック数・成績）",
    "keeping.members": "zip の中のファイル（torch.save は zip を書きます）",
    "keeping.open_error": "このファイルは開けませんでした：{reason}",
    # load errors
    "keeping.errors": "2. よくある 3 つの読み込みエラー",
    "keeping.errors_intro": (
        "小さなモデル（2 → 4 → 1）を一時ファイルに保存して、わざとエラーを起こします。"
        "ボタンを押すと、PyTorch が実際に出すメッセージと、その直し方が出ます。"
    ),
    "keeping.err.keys": "層の名前を変えた",
    "keeping.err.size": "層の大きさを変えた",
    "keeping.err.pickled": "モデルごと保存した",
    "keeping.err_code": "エラーが出るコード",
    "keeping.err_message": "PyTorch のメッセージ（{exception}）",
    "keeping.fix": "直し方",
    "keeping.why.keys": (
        "保存したときは最後の層が `out` という名前でしたが、コードを書き直して `head` に変えました。"
        "state_dict は **名前で** 重みを探すので、`head.weight` が見つからず（Missing）、"
        "`out.weight` は行き場がありません（Unexpected）。"
    ),
    "keeping.fix.keys": (
        "キーの名前を新しい名前に付け替えてから読み込みます。読み込んだモデルの出力と保存したモデルの出力の差は "
        "**{diff:.1e}** です。\n\n`strict=False` でもエラーは消えますが、それは「合わない重みを黙って飛ばす」"
        "という意味です。このモデルでは {missing} が読み込まれず、ランダムなまま残りました"
        "（出力の差 {loose:.3f}）。`strict=False` を使うときは、返り値の `missing_keys` を必ず確かめましょう。"
    ),
    "keeping.why.size": (
        "保存したのは隠れ層 4 個のモデルですが、読み込む側は 8 個で作りました。"
        "名前は合っていても、テンソルの **形** が合わないので読み込めません。"
    ),
    "keeping.fix.size": (
        "モデルを作るときの設定（ここでは {config}）を重みと一緒に保存しておき、その設定でモデルを作り直します。"
        "この実験室のチェックポイントもそうしています。出力の差は **{diff:.1e}** です。"
    ),
    "keeping.why.pickled": (
        "`torch.save(model, PATH)` はモデルの **クラスごと** pickle で保存します。PyTorch 2.6 からは "
        "`torch.load` が `weights_only=True` で読むのが標準になり、知らないクラスを含むファイルは断ります。"
        "pickle は読み込むときに任意のコードを実行できるので、これは安全のためです。"
        "このファイルを読むには、次のクラスを許可する必要があります：{globals}"
    ),
    "keeping.fix.pickled": (
        "`model.state_dict()` だけを保存し、読むときは同じクラスでモデルを作ってから `load_state_dict` します"
        "（出力の差 **{diff:.1e}**）。自分で書いたクラスで、自分で作ったファイルに限り、"
        "`torch.serialization.add_safe_globals([MyNet])` で許可する方法もありますが、"
        "人からもらったファイルでは絶対に `weights_only=False` にしないでください。"
    ),
    # resume
    "keeping.resume": "3. 学習を途中から再開する",
    "keeping.resume_intro": (
        "8×8 の手書き数字を小さなネットワーク（Adam、学習率 {lr}）で {epochs} エポック学習します。"
        "{stop} エポック目でチェックポイントを保存し、そこから 2 通りで再開します。"
        "**オプティマイザの状態も読み込んだ場合** と、**重みだけ読み込んだ場合** です。"
    ),
    "keeping.resume_run": "再開を比べる",
    "keeping.resume_wait": "学習しています（数秒かかります）…",
    "keeping.curve.before": "チェックポイントまで",
    "keeping.curve.with": "オプティマイザの状態あり",
    "keeping.curve.without": "重みだけ（Adam を作り直し）",
    "keeping.chart_step": "ステップ",
    "keeping.chart_loss": "学習データ全体の損失",
    "keeping.resume_result": (
        "再開直後の 1 エポックで、損失は最大 **{with_peak:.3f}**（状態あり）と **{without_peak:.3f}**（重みだけ）"
        "でした。重みだけだと **{jump:.1f} 倍** 跳ね上がります。状態ありの曲線は、中断しなかった学習と"
        "まったく同じです。"
    ),
    "keeping.resume_why": (
        "Adam は重み 1 つごとに、勾配の平均（1 次モーメント）と 2 乗の平均（2 次モーメント）を覚えています。"
        "作り直した Adam はこれを忘れているので、最初の数ステップで **すべての重みを学習率と同じ幅** だけ動かし、"
        "せっかく下がった損失が跳ね上がります。チェックポイントのサイズは {ckpt} KB、重みだけなら {weights} KB です"
        "（モーメント 2 つ分、重みのおよそ 3 倍）。"
    ),
    # export
    "keeping.export": "4. ほかの環境で使えるように書き出す",
    "keeping.export_intro": (
        "**ONNX** は多くの言語や機器で動く共通の形式で、**ONNX Runtime** で PyTorch なしに実行できます。"
        "**.pt2** は `torch.export` が作るプログラムで、Python のコードなしに PyTorch で動きます。"
        "書き出したファイルを実際に動かし、PyTorch の出力との最大の差を確かめます。"
    ),
    "keeping.export_model": "書き出すモデル",
    "keeping.format": "形式",
    "keeping.fmt.onnx": "ONNX",
    "keeping.fmt.pt2": ".pt2（torch.export）",
    "keeping.export_run": "書き出して確かめる",
    "keeping.export_wait": "書き出しています（10 秒ほどかかることがあります）…",
    "keeping.export_done": (
        "{exporter} で書き出しました（{kb:.0f} KB、{seconds:.1f} 秒）。{batch} 枚のテスト入力で、"
        "PyTorch との最大の差は **{diff:.1e}** です。"
    ),
    "keeping.export_ok": "差は 1e-4 より小さく、同じ計算をしていると言えます。",
    "keeping.export_far": "差が 1e-4 より大きくなりました。書き出しで計算が変わった可能性があります。",
    "keeping.download": "ファイルをダウンロード",
    "keeping.export_error.family": "このモデル（{family}）は、このページではまだ書き出せません。",
    "keeping.export_error.failed": "書き出しに失敗しました（{detail}）。",
    "keeping.export_error.too_large": "書き出したファイルが大きすぎるので、ダウンロードは出しません（{mb:.0f} MB）。",
    "keeping.export_error.missing": "ONNX Runtime が入っていません。先生に知らせてください。",
    "keeping.torchscript": (
        "テキスト 8.4 の **TorchScript**（`torch.jit.trace` / `torch.jit.script`）は、今の PyTorch では"
        "非推奨です（呼ぶと「`torch.compile` か `torch.export` を使ってください」と警告が出ます）。"
        "代わりに、Python なしで動かすなら `torch.export`、ほかの環境なら ONNX を使います。"
    ),
    # GPU timing
    "keeping.gpu": "5. GPU の時間を正しく測る",
    "keeping.gpu_intro": (
        "GPU の計算は **非同期** です。Python は命令を GPU に渡したらすぐ次へ進むので、"
        "`torch.cuda.synchronize()` で終わるのを待たないと、命令を渡した時間しか測れません。"
        "また、最初の 1 回は準備（カーネルの読み込み・メモリの確保）で遅いので、何回か空回し（ウォームアップ）してから測ります。"
    ),
    "keeping.batch": "バッチサイズ",
    "keeping.time_run": "測る",
    "keeping.cpu_ms": "CPU",
    "keeping.first_ms": "GPU：最初の 1 回",
    "keeping.unsynced_ms": "GPU：同期なし（まちがい）",
    "keeping.synced_ms": "GPU：同期あり（正しい）",
    "keeping.no_gpu": (
        "このサーバーには GPU がないので、CPU の時間だけを測りました。GPU があれば、ここに「最初の 1 回」"
        "「同期なし」「同期あり」の 3 つが並びます。同期なしの時間は同期ありよりずっと短く出ますが、"
        "それは計算が終わる前に時計を止めているからです。"
    ),
    "keeping.gpu_device": "GPU：{device}（モデルはテキストの CNN、32/64 チャンネル）",
    # review
    "keeping.q1": "Q1. state_dict だけを保存する方法が、モデル全体を保存する方法より勧められるのはなぜですか。",
    "keeping.a1": (
        "state_dict はテンソルの辞書なので、クラスの定義さえあればどのプロジェクトでも読めます。"
        "モデル全体の保存はクラスの場所や名前に縛られ、コードを直すと読めなくなります。"
        "また pickle は読み込み時にコードを実行できるので、`weights_only=True` では断られます。"
    ),
    "keeping.q2": "Q2. `strict=False` で読み込むと、何が起こる可能性がありますか。",
    "keeping.a2": (
        "名前や形が合わない重みは黙って飛ばされ、その層はランダムな初期値のまま残ります。"
        "エラーは出なくても、モデルは正しく動きません。返り値の `missing_keys` と `unexpected_keys` を確かめます。"
    ),
    "keeping.q3": "Q3. 学習を再開するために、チェックポイントに何を入れておくべきですか。",
    "keeping.a3": (
        "モデルの state_dict、オプティマイザの state_dict（Adam のモーメント）、エポック数、"
        "そして必要なら損失や乱数の状態です。オプティマイザの状態がないと、再開直後に損失が跳ね上がります。"
    ),
    "keeping.q4": "Q4. GPU の計算時間を測るとき、`torch.cuda.synchronize()` が必要なのはなぜですか。",
    "keeping.a4": (
        "GPU の命令は非同期に実行されるので、同期しないと計算が終わる前に時計を止めてしまうからです。"
        "最初の 1 回は準備の時間も入るので、ウォームアップしてから測ります。"
    ),
    "keeping.q5": "Q5. ONNX に書き出したモデルが正しいことは、どう確かめますか。",
    "keeping.a5": (
        "同じ入力を PyTorch のモデルと ONNX Runtime の両方に入れ、出力の差の最大値が十分小さい"
        "（たとえば 1e-4 未満）ことを確かめます。バッチサイズを変えた入力でも試します。"
    ),
    "keeping.code_caption": "このページでしていることを、ふつうの PyTorch のコードで書くとこうなります。",
}

EN = {
    "nav.keeping": "Saving and exporting models",
    "home.blurb.keeping": "Inside a .pth, fixing load errors, resuming training, exporting to ONNX",
    "keeping.title": "Saving and exporting models",
    "keeping.intro": (
        "A trained model is best saved as its **state_dict** (a dict: layer name → weight tensor). Open a "
        "file and look inside, provoke the common load errors and fix them, then resume training and export."
    ),
    "keeping.inside": "1. What is inside a .pth file",
    "keeping.pick": "File to open",
    "keeping.shipped": "Shipped model: {file}",
    "keeping.run": "My saved run: {label}",
    "keeping.no_runs": "Type your name in the sidebar and train on a page: your saved models open here too.",
    "keeping.file_size": "File",
    "keeping.tensor_size": "Tensors",
    "keeping.params": "Parameters",
    "keeping.col.name": "Name (state_dict key)",
    "keeping.col.shape": "Shape",
    "keeping.col.dtype": "Type",
    "keeping.col.bytes": "Bytes",
    "keeping.inside_caption": (
        "A key is the model's attribute name (layer1, …), then the index inside it and weight/bias. "
        "A float32 takes 4 bytes, so bytes = elements × 4."
    ),
    "keeping.meta": "What is stored beside the weights (settings, epochs, scores)",
    "keeping.members": "The files inside the zip (torch.save writes a zip)",
    "keeping.open_error": "This file could not be opened: {reason}",
    "keeping.errors": "2. The three classic load errors",
    "keeping.errors_intro": (
        "A small model (2 → 4 → 1) is saved to a temporary file and an error is made on purpose. "
        "Each button shows PyTorch's real message, then the fix."
    ),
    "keeping.err.keys": "A layer renamed",
    "keeping.err.size": "A layer resized",
    "keeping.err.pickled": "The whole model saved",
    "keeping.err_code": "The code that fails",
    "keeping.err_message": "PyTorch's message ({exception})",
    "keeping.fix": "The fix",
    "keeping.why.keys": (
        "When the file was saved the last layer was called `out`; the code has since renamed it `head`. "
        "A state_dict finds weights **by name**, so `head.weight` is not found (Missing) and `out.weight` "
        "has nowhere to go (Unexpected)."
    ),
    "keeping.fix.keys": (
        "Rename the keys to the new names, then load. The loaded model's output differs from the saved "
        "one's by **{diff:.1e}**.\n\n`strict=False` also silences the error, but it means \"skip what does "
        'not match, silently": here {missing} were not loaded and stayed random (output off by '
        "{loose:.3f}). With `strict=False`, always check the returned `missing_keys`."
    ),
    "keeping.why.size": (
        "The file holds a model with 4 hidden units; the code built one with 8. The names match, "
        "but the tensors' **shapes** do not."
    ),
    "keeping.fix.size": (
        "Save the settings that build the model (here {config}) beside the weights, and rebuild the model "
        "from them, as this lab's checkpoints do. Output difference: **{diff:.1e}**."
    ),
    "keeping.why.pickled": (
        "`torch.save(model, PATH)` pickles the model **with its class**. Since PyTorch 2.6 `torch.load` "
        "reads with `weights_only=True` by default and refuses a file that names classes it does not know: "
        "unpickling can run any code. To read this file you would have to allow: {globals}"
    ),
    "keeping.fix.pickled": (
        "Save `model.state_dict()` only; to read it, build the model from its class and call "
        "`load_state_dict` (output difference **{diff:.1e}**). For your own class and your own file you may "
        "allow it with `torch.serialization.add_safe_globals([MyNet])`, but never pass "
        "`weights_only=False` for a file someone gave you."
    ),
    "keeping.resume": "3. Resuming training",
    "keeping.resume_intro": (
        "A small network learns the 8×8 digits for {epochs} epochs (Adam, learning rate {lr}). At epoch "
        "{stop} a checkpoint is written, and training resumes from it twice: **with the optimizer's "
        "state** and **with the weights alone**."
    ),
    "keeping.resume_run": "Compare the resumes",
    "keeping.resume_wait": "Training (a few seconds)…",
    "keeping.curve.before": "Up to the checkpoint",
    "keeping.curve.with": "With the optimizer's state",
    "keeping.curve.without": "Weights alone (a new Adam)",
    "keeping.chart_step": "Step",
    "keeping.chart_loss": "Loss on the whole training set",
    "keeping.resume_result": (
        "In the first epoch after resuming, the loss peaked at **{with_peak:.3f}** (with the state) and "
        "**{without_peak:.3f}** (weights alone): **{jump:.1f} times** higher. The curve with the state is "
        "exactly the run that was never interrupted."
    ),
    "keeping.resume_why": (
        "Adam keeps, for every weight, the mean of its gradients (first moment) and of their squares "
        "(second moment). A new Adam has forgotten them, so its first steps move **every weight by about "
        "the learning rate**, and the loss that had come down jumps up. The checkpoint takes {ckpt} KB, the "
        "weights alone {weights} KB (two moments more: about three times the weights)."
    ),
    "keeping.export": "4. Exporting for other environments",
    "keeping.export_intro": (
        "**ONNX** is a common format many languages and devices run; **ONNX Runtime** runs it without "
        "PyTorch. A **.pt2** is the program `torch.export` makes; PyTorch runs it without your Python code. "
        "The exported file is run for real and compared with PyTorch's output."
    ),
    "keeping.export_model": "Model to export",
    "keeping.format": "Format",
    "keeping.fmt.onnx": "ONNX",
    "keeping.fmt.pt2": ".pt2 (torch.export)",
    "keeping.export_run": "Export and check",
    "keeping.export_wait": "Exporting (this can take about 10 seconds)…",
    "keeping.export_done": (
        "Exported with {exporter} ({kb:.0f} KB, {seconds:.1f} s). On a test batch of {batch}, the largest "
        "difference from PyTorch is **{diff:.1e}**."
    ),
    "keeping.export_ok": "Below 1e-4: the file computes what the model computes.",
    "keeping.export_far": "Above 1e-4: the export may have changed the computation.",
    "keeping.download": "Download the file",
    "keeping.export_error.family": "This model ({family}) cannot be exported on this page yet.",
    "keeping.export_error.failed": "The export failed ({detail}).",
    "keeping.export_error.too_large": "The exported file is too large to offer for download ({mb:.0f} MB).",
    "keeping.export_error.missing": "ONNX Runtime is not installed. Please tell your teacher.",
    "keeping.torchscript": (
        "**TorchScript** of the text's 8.4 (`torch.jit.trace` / `torch.jit.script`) is deprecated in current "
        "PyTorch (calling it warns: use `torch.compile` or `torch.export`). To run without Python use "
        "`torch.export`; for other environments, ONNX."
    ),
    "keeping.gpu": "5. Timing a GPU correctly",
    "keeping.gpu_intro": (
        "A GPU computes **asynchronously**: Python hands it the work and moves on, so without "
        "`torch.cuda.synchronize()` you time only the hand-over. The first call is slow too (kernels "
        "loaded, memory allocated): warm up a few times before timing."
    ),
    "keeping.batch": "Batch size",
    "keeping.time_run": "Time it",
    "keeping.cpu_ms": "CPU",
    "keeping.first_ms": "GPU: first call",
    "keeping.unsynced_ms": "GPU: no sync (wrong)",
    "keeping.synced_ms": "GPU: synced (right)",
    "keeping.no_gpu": (
        "This server has no GPU, so only the CPU was timed. With a GPU, three more numbers appear here: "
        "the first call, without synchronising and with it. The unsynchronised time looks much shorter, "
        "because the clock stops before the work is done."
    ),
    "keeping.gpu_device": "GPU: {device} (the model: the course's CNN, 32/64 channels)",
    "keeping.q1": "Q1. Why is saving the state_dict recommended over saving the whole model?",
    "keeping.a1": (
        "A state_dict is a dict of tensors: any project with the class definition can read it. A whole "
        "saved model is tied to where its class lives and what it is called, and breaks when the code "
        "changes; unpickling can also run code, so `weights_only=True` refuses it."
    ),
    "keeping.q2": "Q2. What can go wrong when you load with `strict=False`?",
    "keeping.a2": (
        "Weights whose names or shapes do not match are skipped silently, and those layers keep their random "
        "initial values: no error, but a wrong model. Check the returned `missing_keys` and `unexpected_keys`."
    ),
    "keeping.q3": "Q3. What should a checkpoint hold so that training can resume?",
    "keeping.a3": (
        "The model's state_dict, the optimizer's state_dict (Adam's moments), the epoch, and where needed "
        "the loss and the random generators' state. Without the optimizer's state the loss jumps on resuming."
    ),
    "keeping.q4": "Q4. Why does timing a GPU need `torch.cuda.synchronize()`?",
    "keeping.a4": (
        "GPU work runs asynchronously: without synchronising, the clock stops before the work is done. "
        "The first call also includes setting up, so warm up before timing."
    ),
    "keeping.q5": "Q5. How do you check that a model exported to ONNX is right?",
    "keeping.a5": (
        "Feed the same inputs to the PyTorch model and to ONNX Runtime and check that the largest difference "
        "is small (say below 1e-4), also with another batch size."
    ),
    "keeping.code_caption": "What this page does, as plain PyTorch code.",
}
