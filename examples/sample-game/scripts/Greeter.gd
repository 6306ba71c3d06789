extends Reference
class_name Greeter

# A named class (class_name): Godot 3 lists it in project.godot's _global_script_classes,
# which the editor rewrites on every import and export.

const GREETING := "sample-game: hello from Godot "


static func greeting(info: Dictionary) -> String:
	return GREETING + str(info.major) + "." + str(info.minor) + "." + str(info.patch)


static func describe_assets(texture: Texture, sound: AudioStream, font: Font) -> String:
	# One line a smoke test can look for: every imported asset was loaded from the pack.
	return "sample-game: assets texture %dx%d, sound %.2f s, font height %d" % [
		texture.get_width(), texture.get_height(), sound.get_length(), font.get_height()]
