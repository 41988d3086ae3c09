package io.lodestar.testkit.traffic;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Function;

/**
 * Grade-school math word problems built from templates with random quantities.
 *
 * <p>A problem's solution is code rather than text: replaying it through a {@link Working} yields
 * the reference answer, and replaying it with a slip at one step yields a wrong answer whose
 * working stays arithmetically consistent after the slip, as a model's mistake would.
 */
final class MathProblems {

  /** A generated question; {@code solution} must be a pure function of the working it is given. */
  record Problem(
      String template, String question, String plan, Function<Working, Amount> solution) {

    Solution solve() {
      return solve(Working.NO_SLIP, null);
    }

    Solution solve(int slipAtStep, Random slipRandom) {
      Working working = new Working(slipAtStep, slipRandom);
      Amount answer = solution.apply(working);
      return new Solution(List.copyOf(working.steps), answer);
    }
  }

  record Solution(List<Step> steps, Amount answer) {}

  /**
   * A quantity as the working shows it: money renders as dollars, anything else as a number with
   * its unit.
   */
  record Amount(BigDecimal value, boolean money, String unit) {

    static Amount count(long value) {
      return new Amount(BigDecimal.valueOf(value), false, null);
    }

    static Amount count(long value, String unit) {
      return new Amount(BigDecimal.valueOf(value), false, unit);
    }

    static Amount number(BigDecimal value, String unit) {
      return new Amount(value, false, unit);
    }

    static Amount dollars(BigDecimal value) {
      return new Amount(value, true, null);
    }

    static Amount dollars(long value) {
      return dollars(BigDecimal.valueOf(value));
    }

    Amount withValue(BigDecimal newValue) {
      return new Amount(newValue, money, unit);
    }
  }

  enum Op {
    PLUS,
    MINUS,
    TIMES,
    DIVIDE,
    PERCENT_OF
  }

  /** One line of working: {@code label operand op operand ... = result}. */
  record Step(String label, Op op, List<Amount> operands, Amount result) {}

  /** Records the steps of one attempt at a solution and, when asked, gets one of them wrong. */
  static final class Working {
    static final int NO_SLIP = -1;

    private final int slipAtStep;
    private final Random slipRandom;
    private final List<Step> steps = new ArrayList<>();

    private Working(int slipAtStep, Random slipRandom) {
      this.slipAtStep = slipAtStep;
      this.slipRandom = slipRandom;
    }

    Amount add(String label, Amount... terms) {
      BigDecimal sum = BigDecimal.ZERO;
      boolean money = false;
      for (Amount term : terms) {
        sum = sum.add(term.value());
        money |= term.money();
      }
      return record(label, Op.PLUS, List.of(terms), sum, money, terms[0].unit());
    }

    Amount subtract(String label, Amount from, Amount amount) {
      return record(
          label,
          Op.MINUS,
          List.of(from, amount),
          from.value().subtract(amount.value()),
          from.money() || amount.money(),
          from.unit());
    }

    Amount multiply(String label, Amount a, Amount b, String resultUnit) {
      return record(
          label,
          Op.TIMES,
          List.of(a, b),
          a.value().multiply(b.value()),
          a.money() || b.money(),
          resultUnit);
    }

    Amount divide(String label, Amount dividend, Amount divisor, String resultUnit) {
      // Two places suffice: the correct path always divides exactly, a slipped one is rounded as
      // people do.
      BigDecimal quotient = dividend.value().divide(divisor.value(), 2, RoundingMode.HALF_UP);
      return record(
          label, Op.DIVIDE, List.of(dividend, divisor), quotient, dividend.money(), resultUnit);
    }

    Amount percentOf(String label, Amount percent, Amount base) {
      BigDecimal part = base.value().multiply(percent.value()).divide(BigDecimal.valueOf(100));
      return record(label, Op.PERCENT_OF, List.of(percent, base), part, base.money(), base.unit());
    }

    private Amount record(
        String label, Op op, List<Amount> operands, BigDecimal exact, boolean money, String unit) {
      BigDecimal value = normalise(exact, money);
      if (steps.size() == slipAtStep) {
        value = slip(op, operands, value, money);
      }
      Amount result = new Amount(value, money, unit);
      steps.add(new Step(label, op, operands, result));
      return result;
    }

    /**
     * A plausible wrong result for one step: an off-by-one factor, a dropped carry, a misplaced
     * point.
     */
    private BigDecimal slip(Op op, List<Amount> operands, BigDecimal correct, boolean money) {
      List<BigDecimal> guesses = new ArrayList<>();
      switch (op) {
        case TIMES -> {
          // Counted one group too many or too few, or lost a carry.
          for (BigDecimal delta :
              List.of(operands.get(0).value(), operands.get(1).value(), BigDecimal.TEN)) {
            guesses.add(correct.add(delta));
            guesses.add(correct.subtract(delta));
          }
        }
        case PLUS, MINUS -> {
          for (long delta : new long[] {1, 10, 100}) {
            guesses.add(correct.add(BigDecimal.valueOf(delta)));
            guesses.add(correct.subtract(BigDecimal.valueOf(delta)));
          }
        }
        case DIVIDE -> {
          guesses.add(correct.add(BigDecimal.ONE));
          guesses.add(correct.subtract(BigDecimal.ONE));
        }
        case PERCENT_OF -> {
          guesses.add(correct.multiply(BigDecimal.TEN));
          guesses.add(correct.movePointLeft(1));
          guesses.add(correct.add(BigDecimal.ONE));
        }
        default -> throw new IllegalStateException("unknown operator " + op);
      }
      List<BigDecimal> plausible = new ArrayList<>();
      for (BigDecimal guess : guesses) {
        BigDecimal normalised = normalise(guess, money);
        if (normalised.signum() > 0 && normalised.compareTo(correct) != 0) {
          plausible.add(normalised);
        }
      }
      if (plausible.isEmpty()) {
        return normalise(correct.add(BigDecimal.ONE), money);
      }
      return plausible.get(slipRandom.nextInt(plausible.size()));
    }

    private static BigDecimal normalise(BigDecimal value, boolean money) {
      BigDecimal rounded = value.setScale(2, RoundingMode.HALF_UP);
      return money ? rounded : rounded.stripTrailingZeros();
    }
  }

  private interface Template {
    Problem create(Random rnd);
  }

  private static final List<Template> TEMPLATES =
      List.of(
          MathProblems::shopping,
          MathProblems::rateTimesTime,
          MathProblems::splitting,
          MathProblems::percentages,
          MathProblems::runningTotals,
          MathProblems::distance,
          MathProblems::savings,
          MathProblems::bulkCounts);

  private static final String[] NAMES = {
    "Maya", "Liam", "Priya", "Jonas", "Amara", "Diego", "Chen", "Fatima", "Noah", "Ingrid", "Kofi",
    "Sofia", "Ravi", "Elena", "Tomás", "Hana"
  };

  private record Item(String plural, int minCents, int maxCents) {}

  private static final Item[] ITEMS = {
    new Item("notebooks", 150, 650), new Item("pens", 75, 300), new Item("apples", 40, 120),
    new Item("sandwiches", 450, 1250), new Item("movie tickets", 850, 1800),
        new Item("packs of batteries", 399, 1499),
    new Item("coffees", 275, 575), new Item("bags of rice", 325, 1150),
        new Item("paint brushes", 199, 899),
    new Item("T-shirts", 900, 2600)
  };

  private MathProblems() {}

  static Problem next(Random rnd) {
    return TEMPLATES.get(rnd.nextInt(TEMPLATES.size())).create(rnd);
  }

  private static Problem shopping(Random rnd) {
    String name = pick(rnd, NAMES);
    Item first = pick(rnd, ITEMS);
    Item second = pick(rnd, ITEMS);
    while (second == first) {
      second = pick(rnd, ITEMS);
    }
    int firstQty = between(rnd, 2, 9);
    int secondQty = between(rnd, 2, 6);
    BigDecimal firstPrice = price(rnd, first);
    BigDecimal secondPrice = price(rnd, second);
    BigDecimal total =
        firstPrice
            .multiply(BigDecimal.valueOf(firstQty))
            .add(secondPrice.multiply(BigDecimal.valueOf(secondQty)));
    boolean asksForChange = rnd.nextBoolean();
    long bill = smallestBillAbove(total);

    String question =
        String.format(
                Locale.ROOT,
                "%s buys %d %s at $%s each and %d %s at $%s each. ",
                name,
                firstQty,
                first.plural(),
                firstPrice.toPlainString(),
                secondQty,
                second.plural(),
                secondPrice.toPlainString())
            + (asksForChange
                ? String.format(
                    Locale.ROOT,
                    "%s pays with a $%d bill. How much change does %s get back?",
                    name,
                    bill,
                    name)
                : String.format(Locale.ROOT, "How much does %s spend in total?", name));
    String plan =
        asksForChange
            ? "I need the cost of each kind of item, their sum, and then the difference from the bill."
            : "I need the cost of each kind of item and then their sum.";
    Item a = first;
    Item b = second;
    return new Problem(
        "shopping",
        question,
        plan,
        w -> {
          Amount firstCost =
              w.multiply(
                  "the " + a.plural() + " cost",
                  Amount.count(firstQty),
                  Amount.dollars(firstPrice),
                  null);
          Amount secondCost =
              w.multiply(
                  "the " + b.plural() + " cost",
                  Amount.count(secondQty),
                  Amount.dollars(secondPrice),
                  null);
          Amount spent = w.add("the total is", firstCost, secondCost);
          return asksForChange ? w.subtract("the change is", Amount.dollars(bill), spent) : spent;
        });
  }

  private static Problem rateTimesTime(Random rnd) {
    if (rnd.nextBoolean()) {
      int pagesPerMinute = between(rnd, 12, 60);
      int hours = between(rnd, 2, 4);
      int minutes = 5 * between(rnd, 1, 11);
      String question =
          String.format(
              Locale.ROOT,
              "An office printer prints %d pages per minute. How many pages does it print in %d hours and %d"
                  + " minutes of continuous printing?",
              pagesPerMinute,
              hours,
              minutes);
      return new Problem(
          "rate-time",
          question,
          "The rate is per minute, so I should convert the whole time to minutes first.",
          w -> {
            Amount hourMinutes =
                w.multiply(
                    "converting the hours to minutes gives",
                    Amount.count(hours, "h"),
                    Amount.count(60, "min/h"),
                    "minutes");
            Amount allMinutes =
                w.add(
                    "adding the extra minutes gives",
                    hourMinutes,
                    Amount.count(minutes, "minutes"));
            return w.multiply(
                "the printer prints",
                Amount.count(pagesPerMinute, "pages/min"),
                allMinutes,
                "pages");
          });
    }
    int perHour = between(rnd, 18, 95);
    int hoursPerDay = between(rnd, 5, 12);
    int days = between(rnd, 3, 7);
    String question =
        String.format(
            Locale.ROOT,
            "A bottling line fills %d crates per hour. It runs %d hours a day for %d days. How many crates does"
                + " it fill in that time?",
            perHour,
            hoursPerDay,
            days);
    return new Problem(
        "rate-time",
        question,
        "First the daily output, then multiply by the number of days.",
        w -> {
          Amount daily =
              w.multiply(
                  "each day it fills",
                  Amount.count(perHour, "crates/h"),
                  Amount.count(hoursPerDay, "h"),
                  "crates");
          return w.multiply(
              "over the " + days + " days it fills", daily, Amount.count(days, "days"), "crates");
        });
  }

  private static Problem splitting(Random rnd) {
    if (rnd.nextBoolean()) {
      int friends = between(rnd, 3, 8);
      BigDecimal share = cents(5 * between(rnd, 240, 1200));
      BigDecimal bill = share.multiply(BigDecimal.valueOf(friends));
      long tip = (long) friends * between(rnd, 2, 8);
      String question =
          String.format(
              Locale.ROOT,
              "%d friends share a restaurant bill of $%s equally. They also leave a $%d tip, split equally."
                  + " How much does each friend pay?",
              friends,
              bill.toPlainString(),
              tip);
      return new Problem(
          "splitting",
          question,
          "Each friend pays an equal part of the bill plus an equal part of the tip.",
          w -> {
            Amount billShare =
                w.divide(
                    "each share of the bill is", Amount.dollars(bill), Amount.count(friends), null);
            Amount tipShare =
                w.divide(
                    "each share of the tip is", Amount.dollars(tip), Amount.count(friends), null);
            return w.add("each friend pays", billShare, tipShare);
          });
    }
    String name = pick(rnd, NAMES);
    int perBox = pick(rnd, new Integer[] {6, 8, 12, 24});
    int boxes = between(rnd, 8, 45);
    BigDecimal boxPrice = cents(25 * between(rnd, 14, 60));
    String question =
        String.format(
            Locale.ROOT,
            "%s bakes %d cookies and packs them into boxes of %d. Each box sells for $%s. How much money does %s"
                + " make by selling all the boxes?",
            name,
            boxes * perBox,
            perBox,
            boxPrice.toPlainString(),
            name);
    return new Problem(
        "splitting",
        question,
        "Find how many boxes there are, then what they sell for.",
        w -> {
          Amount boxCount =
              w.divide(
                  "the number of boxes is",
                  Amount.count((long) boxes * perBox, "cookies"),
                  Amount.count(perBox, "per box"),
                  "boxes");
          return w.multiply("selling them brings in", boxCount, Amount.dollars(boxPrice), null);
        });
  }

  private static Problem percentages(Random rnd) {
    if (rnd.nextBoolean()) {
      long price = 20L * between(rnd, 2, 40);
      int discount = pick(rnd, new Integer[] {10, 15, 20, 25, 30, 40, 50});
      int tax = pick(rnd, new Integer[] {5, 6, 8, 10});
      String item =
          pick(
              rnd,
              new String[] {"jacket", "bicycle helmet", "desk lamp", "pair of boots", "backpack"});
      String question =
          String.format(
              Locale.ROOT,
              "A %s originally costs $%d. It is on sale for %d%% off, and then %d%% sales tax is added to the"
                  + " sale price. What is the final price?",
              item,
              price,
              discount,
              tax);
      return new Problem(
          "percentages",
          question,
          "The discount comes off first, and the tax applies to the discounted price, not the original.",
          w -> {
            Amount original = Amount.dollars(price);
            Amount off = w.percentOf("the discount is", Amount.count(discount), original);
            Amount sale = w.subtract("the sale price is", original, off);
            Amount taxAmount = w.percentOf("the tax is", Amount.count(tax), sale);
            return w.add("the final price is", sale, taxAmount);
          });
    }
    // Multiples of 80 keep both percentages of whole students whole.
    long students = 80L * between(rnd, 1, 30);
    int busPercent = 5 * between(rnd, 1, 15);
    int walkPercent = pick(rnd, new Integer[] {25, 50, 75});
    String question =
        String.format(
            Locale.ROOT,
            "A school has %d students. %d%% of them ride the bus, and %d%% of the remaining students walk. How"
                + " many students walk to school?",
            students,
            busPercent,
            walkPercent);
    return new Problem(
        "percentages",
        question,
        "The second percentage is of the students who do not ride the bus, so I need that number first.",
        w -> {
          Amount all = Amount.count(students, "students");
          Amount bus = w.percentOf("the bus riders are", Amount.count(busPercent), all);
          Amount rest = w.subtract("the remaining students are", all, bus);
          return w.percentOf("the students who walk are", Amount.count(walkPercent), rest);
        });
  }

  private static Problem runningTotals(Random rnd) {
    if (rnd.nextBoolean()) {
      int monday = between(rnd, 40, 260);
      int extra = between(rnd, 5, 60);
      String question =
          String.format(
              Locale.ROOT,
              "A farm collects %d eggs on Monday. On Tuesday it collects %d more than on Monday, and on"
                  + " Wednesday it collects twice as many as on Tuesday. How many eggs does it collect over"
                  + " the three days?",
              monday,
              extra);
      return new Problem(
          "multi-step",
          question,
          "Work out each day's count, then add all three days.",
          w -> {
            Amount mon = Amount.count(monday, "eggs");
            Amount tue = w.add("on Tuesday it collects", mon, Amount.count(extra, "eggs"));
            Amount wed = w.multiply("on Wednesday it collects", Amount.count(2), tue, "eggs");
            return w.add("over the three days it collects", mon, tue, wed);
          });
    }
    int shelved = between(rnd, 800, 3200);
    int crates = between(rnd, 2, 6);
    int perCrate = between(rnd, 12, 60);
    int lent = between(rnd, 50, 400);
    String question =
        String.format(
            Locale.ROOT,
            "A library has %d books on its shelves. It receives %d boxes of %d new books each, and then lends out"
                + " %d books. How many books are left on the shelves?",
            shelved,
            crates,
            perCrate,
            lent);
    return new Problem(
        "multi-step",
        question,
        "Add the delivered books to the shelves, then take away the ones lent out.",
        w -> {
          Amount delivered =
              w.multiply(
                  "the boxes hold",
                  Amount.count(crates, "boxes"),
                  Amount.count(perCrate, "books"),
                  "books");
          Amount after =
              w.add("after the delivery there are", Amount.count(shelved, "books"), delivered);
          return w.subtract("after lending there are", after, Amount.count(lent, "books"));
        });
  }

  private static Problem distance(Random rnd) {
    int firstSpeed = between(rnd, 40, 120);
    int secondSpeed = between(rnd, 40, 120);
    BigDecimal firstHours = halves(between(rnd, 3, 9));
    BigDecimal secondHours = halves(between(rnd, 3, 9));
    String vehicle = pick(rnd, new String[] {"train", "bus", "delivery van", "car"});
    String question =
        String.format(
            Locale.ROOT,
            "A %s travels at %d km/h for %s hours, then at %d km/h for %s hours. How many kilometres does it"
                + " travel in total?",
            vehicle,
            firstSpeed,
            firstHours.toPlainString(),
            secondSpeed,
            secondHours.toPlainString());
    return new Problem(
        "distance",
        question,
        "Distance is speed times time for each leg; then add the legs.",
        w -> {
          Amount firstLeg =
              w.multiply(
                  "the first leg is",
                  Amount.count(firstSpeed, "km/h"),
                  Amount.number(firstHours, "h"),
                  "km");
          Amount secondLeg =
              w.multiply(
                  "the second leg is",
                  Amount.count(secondSpeed, "km/h"),
                  Amount.number(secondHours, "h"),
                  "km");
          return w.add("the total distance is", firstLeg, secondLeg);
        });
  }

  private static Problem savings(Random rnd) {
    String name = pick(rnd, NAMES);
    int weekly = between(rnd, 15, 80);
    int weeks = between(rnd, 6, 30);
    long gift = rnd.nextBoolean() ? 5L * between(rnd, 4, 30) : 0;
    long spend = 5L * Math.max(1, (weekly * weeks * between(rnd, 30, 80) / 100) / 5);
    String purchase =
        pick(rnd, new String[] {"bike", "guitar", "tablet", "pair of headphones", "camping tent"});
    String question =
        String.format(Locale.ROOT, "%s saves $%d every week for %d weeks. ", name, weekly, weeks)
            + (gift > 0
                ? String.format(Locale.ROOT, "%s also gets $%d as a birthday gift. ", name, gift)
                : "")
            + String.format(
                Locale.ROOT,
                "Then %s spends $%d on a %s. How much money does %s have left?",
                name,
                spend,
                purchase,
                name);
    return new Problem(
        "savings",
        question,
        "Total the savings first, then subtract what was spent.",
        w -> {
          Amount saved =
              w.multiply(
                  "after " + weeks + " weeks the savings are",
                  Amount.dollars(weekly),
                  Amount.count(weeks, "weeks"),
                  null);
          if (gift > 0) {
            saved = w.add("with the gift that becomes", saved, Amount.dollars(gift));
          }
          return w.subtract("what is left is", saved, Amount.dollars(spend));
        });
  }

  private static Problem bulkCounts(Random rnd) {
    int pallets = between(rnd, 4, 30);
    int boxesPerPallet = between(rnd, 12, 48);
    int perBox = between(rnd, 6, 24);
    String goods =
        pick(rnd, new String[] {"bottles", "cans", "jars", "light bulbs", "rolls of tape"});
    int broken = rnd.nextBoolean() ? between(rnd, 3, 90) : 0;
    String question =
        String.format(
                Locale.ROOT,
                "A warehouse receives %d pallets. Each pallet holds %d boxes, and each box contains %d %s. ",
                pallets,
                boxesPerPallet,
                perBox,
                goods)
            + (broken > 0
                ? String.format(
                    Locale.ROOT,
                    "%d of the %s arrive broken and are thrown away. How many usable"
                        + " %s are left?",
                    broken,
                    goods,
                    goods)
                : String.format(Locale.ROOT, "How many %s are there in total?", goods));
    return new Problem(
        "bulk-count",
        question,
        "Count the boxes first, then the items in them.",
        w -> {
          Amount boxes =
              w.multiply(
                  "the number of boxes is",
                  Amount.count(pallets, "pallets"),
                  Amount.count(boxesPerPallet, "boxes"),
                  "boxes");
          Amount items =
              w.multiply(
                  "the number of " + goods + " is", boxes, Amount.count(perBox, goods), goods);
          return broken > 0
              ? w.subtract("the usable ones are", items, Amount.count(broken, goods))
              : items;
        });
  }

  private static BigDecimal price(Random rnd, Item item) {
    return cents(between(rnd, item.minCents(), item.maxCents()));
  }

  private static BigDecimal cents(long cents) {
    return BigDecimal.valueOf(cents, 2);
  }

  private static BigDecimal halves(int count) {
    return BigDecimal.valueOf(count * 5L, 1).stripTrailingZeros();
  }

  private static long smallestBillAbove(BigDecimal total) {
    for (long bill : new long[] {20, 50, 100, 200, 500}) {
      if (BigDecimal.valueOf(bill).compareTo(total) > 0) {
        return bill;
      }
    }
    return 1000;
  }

  private static int between(Random rnd, int minInclusive, int maxInclusive) {
    return minInclusive + rnd.nextInt(maxInclusive - minInclusive + 1);
  }

  static <T> T pick(Random rnd, T[] options) {
    return options[rnd.nextInt(options.length)];
  }
}
