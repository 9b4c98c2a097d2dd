"""Messages for inputs that cannot be used: drawings that are not digits, numbers out of range, training
settings that cannot train."""

JA = {
    "input.dot": "点（またはとても小さな印）しかありません。数字を 1 つ、大きく描いてください。",
    "input.full": "ほぼ全体が塗りつぶされていて、数字として読めません。消してから数字を 1 つ描いてください。",
    "inputs.range": "「{label}」は {lo}〜{hi} の範囲で入力してください。{value} にしました。",
    "inputs.empty": "「{label}」が空です（{lo}〜{hi} の数を入れてください）。前の {value} に戻しました。",
    "inputs.range_help": "{lo}〜{hi} の範囲の数",
    "train.err.epochs": "エポック数は 1 以上にしてください。",
    "train.err.batch_size": "バッチサイズは 1 以上にしてください。",
    "train.err.lr": "学習率は 0 より大きい有限の数にしてください。",
    "train.err.no_data": "学習に使えるデータがありません（0 件、または画像とラベルの数が違います）。",
    "train.err.setting": "この設定では学習できません（未知の損失関数・最適化手法・スケジュール）。",
}

EN = {
    "input.dot": "There is only a dot (or a very small mark). Draw one digit, large.",
    "input.full": "Almost everything is ink, so this cannot be read as a digit. Clear it and draw one digit.",
    "inputs.range": "“{label}” must be between {lo} and {hi}. It is now {value}.",
    "inputs.empty": "“{label}” is empty (enter a number from {lo} to {hi}). It is back to {value}.",
    "inputs.range_help": "A number from {lo} to {hi}",
    "train.err.epochs": "Use at least 1 epoch.",
    "train.err.batch_size": "Use a batch size of at least 1.",
    "train.err.lr": "The learning rate must be a finite number above 0.",
    "train.err.no_data": "There is no data to train on (0 examples, or images and labels differ in number).",
    "train.err.setting": "These settings cannot train (unknown loss, optimizer or schedule).",
}
