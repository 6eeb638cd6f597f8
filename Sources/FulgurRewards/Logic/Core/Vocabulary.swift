/// Word lists the generators draw from (written for this project; plain common English).
enum Vocabulary {
    /// Lowercase ASCII words, 3–10 letters, no duplicates.
    static let words: [String] = """
        able about above absent accept access account across action active actor adapt address admire adult \
        advice afford afraid after again agent agree ahead alarm album alert alive allow almost alone along \
        amber amount anchor angle animal ankle answer apple april arch argue arise armor army arrow artist \
        aspect attach attic autumn avoid awake badge baker balance bamboo banana banner barely barrel basket \
        battle beach beacon beard beauty become before begin behind belief bench berry better beyond bicycle \
        binder biscuit bitter blade blanket blossom board bottle bounce branch brave bread breeze brick bridge \
        bright broad bronze brother bubble bucket budget buffalo bundle burden butter button cabin cable \
        cactus camel camera candle canvas canyon carbon career carpet carrot castle casual cattle cedar cellar \
        cement center cereal chain chalk change chapter charge cheese cherry chest chicken chimney choice \
        circle citrus claim clever cliff climate clock cloud coast cobalt coffee collar color comet comfort \
        common copper coral corner cotton couch country cousin cover cradle crane crater credit cricket \
        crystal cuckoo culture curtain cushion custom cycle dagger dance danger dawn debate decade decide \
        deep delta desert design detail device diamond dinner direct doctor dolphin domain donkey double \
        dragon drama dream drift driver eager eagle early earth easel echo editor effort eight elbow elder \
        element elephant ember empire energy engine enjoy entry equal escape estate evening event exact \
        exhibit expert fabric falcon family famous fancy farmer father feather fence festival fiber field \
        figure filter finger flame flavor flight floor flower forest fortune fossil fountain fragile frame \
        freedom friend frost fruit galaxy garage garden garlic gather gentle giant ginger giraffe glacier \
        glove golden gossip grain granite grape gravel guitar habit hammer harbor harvest hazel health heart \
        helmet herald hermit hidden hollow honey horizon hotel hunter island ivory jacket jaguar jelly jewel \
        journey jungle kettle kingdom kitchen kitten ladder lantern laptop laser lawyer leader legend lemon \
        letter lizard lobster locket lumber magnet mammal mango manner marble market meadow melody memory \
        mentor meteor method middle mirror mitten module moment monkey morning mosaic mother motion mountain \
        muffin museum mustard napkin narrow nature needle nephew noble normal notice novel number nutmeg \
        oasis object ocean office olive onion orange orbit orchard orchid origin otter outcome oxygen oyster \
        paddle palace panda panel parade parcel parrot pastel pebble pelican pencil pepper period pillow \
        pilot planet plaster pocket poetry polite potato powder prairie prism puzzle pyramid quarter quartz \
        rabbit radar raven reason record reef relic rescue ribbon riddle ritual river rocket rubber saddle \
        salmon sample sandal satin scarf school season second secret shadow shelter shield signal silver \
        simple sister sketch slogan smooth socket soldier spark spider spiral sponge spring square stable \
        station statue stone stream street string studio summer sunset supply surface swallow symbol system \
        table tablet talent teapot temple tender thunder ticket timber tissue toast tomato tongue torch \
        tower trader travel treaty tribe trophy trumpet tulip tunnel turkey turtle tutor twelve umbrella \
        uncle unicorn unity valley vanilla velvet venture verse vessel violet violin visitor volcano voyage \
        wagon walnut wander warden window winter wizard wonder wooden yellow yogurt zebra zenith zipper
        """.split(separator: " ").map(String.init)

    /// First names for people in the puzzles (single words, distinct initials not required).
    static let names: [String] = [
        "Alice", "Bruno", "Clara", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ingrid", "Jamal", "Kiran",
        "Lena", "Marco", "Nadia", "Oscar", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wes",
        "Xenia", "Yusuf", "Zoe",
    ]

    /// Object-counting categories: (category noun for the question, [(singular, plural)]).
    static let objectCategories: [(String, [(String, String)])] = [
        ("fruits", [("apple", "apples"), ("banana", "bananas"), ("peach", "peaches"), ("plum", "plums"),
                    ("grape", "grapes"), ("orange", "oranges"), ("strawberry", "strawberries"),
                    ("raspberry", "raspberries"), ("nectarine", "nectarines"), ("blackberry", "blackberries")]),
        ("vegetables", [("carrot", "carrots"), ("potato", "potatoes"), ("onion", "onions"),
                        ("cabbage", "cabbages"), ("yam", "yams"), ("stalk of celery", "stalks of celery"),
                        ("head of broccoli", "heads of broccoli"), ("cauliflower", "cauliflowers"),
                        ("lettuce head", "lettuce heads"), ("garlic bulb", "garlic bulbs")]),
        ("musical instruments", [("piano", "pianos"), ("violin", "violins"), ("flute", "flutes"),
                                 ("trumpet", "trumpets"), ("drum", "drums"), ("clarinet", "clarinets"),
                                 ("trombone", "trombones"), ("accordion", "accordions"), ("cello", "cellos"),
                                 ("harp", "harps")]),
        ("animals", [("dog", "dogs"), ("cat", "cats"), ("rabbit", "rabbits"), ("goat", "goats"),
                     ("cow", "cows"), ("pig", "pigs"), ("snake", "snakes"), ("duck", "ducks"),
                     ("donkey", "donkeys"), ("frog", "frogs")]),
        ("pieces of furniture", [("chair", "chairs"), ("table", "tables"), ("couch", "couches"), ("bed", "beds"),
                                 ("lamp", "lamps"), ("bookshelf", "bookshelves"), ("stool", "stools"),
                                 ("desk", "desks"), ("wardrobe", "wardrobes"), ("dresser", "dressers")]),
        ("vehicles", [("car", "cars"), ("bicycle", "bicycles"), ("motorcycle", "motorcycles"), ("bus", "buses"),
                      ("truck", "trucks"), ("scooter", "scooters"), ("tractor", "tractors"), ("van", "vans"),
                      ("canoe", "canoes"), ("skateboard", "skateboards")]),
    ]

    static let numberWords = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                              "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                              "eighteen", "nineteen", "twenty"]
}
