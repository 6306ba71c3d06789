extends Node

# The whole game: greet, show the version, quit. Enough for an export that can be run
# headless (godot3-server --main-pack sample-game.pck --quit-after-hello) to prove the package works.

const GREETING := "sample-game: hello from Godot "

func _ready() -> void:
	var info := Engine.get_version_info()
	print(GREETING + str(info.major) + "." + str(info.minor) + "." + str(info.patch))
	$Label.text = GREETING + info.string
	if OS.has_feature("standalone") or "--quit-after-hello" in OS.get_cmdline_args():
		get_tree().quit()
