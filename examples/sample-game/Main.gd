extends Node

# The whole game: greet, show the version and the imported assets, quit. Enough for an export
# that can be run headless (godot3-server --main-pack sample-game.pck) to prove the package works.


func _ready() -> void:
	var info := Engine.get_version_info()
	print(Greeter.greeting(info))
	print(Greeter.describe_assets($Icon.texture, $Beep.stream, $Label.get_font("font")))
	$Label.text = "GO " + str(info.major)
	if OS.has_feature("standalone") or "--quit-after-hello" in OS.get_cmdline_args():
		get_tree().quit()
