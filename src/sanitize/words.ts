/**
 * Small built-in word lists for plausible masked values. ASCII only: the
 * output fits any server encoding and any column measured in bytes or
 * characters alike.
 */
export const FIRST_NAMES = [
  'Aaron', 'Abigail', 'Adam', 'Adele', 'Ahmed', 'Aiko', 'Alba', 'Alex', 'Alice', 'Amara',
  'Amir', 'Ana', 'Andrea', 'Anika', 'Arjun', 'Ava', 'Ben', 'Bianca', 'Boris', 'Bruno',
  'Camila', 'Carla', 'Carlos', 'Chen', 'Chloe', 'Clara', 'Daniel', 'Dario', 'David', 'Elena',
  'Eli', 'Emil', 'Emma', 'Erik', 'Eva', 'Fatima', 'Felix', 'Finn', 'Freya', 'Gabriel',
  'Greta', 'Hana', 'Hannah', 'Hugo', 'Ines', 'Ivan', 'Jack', 'Jamal', 'Jana', 'Jonas',
  'Julia', 'Kai', 'Karim', 'Kenji', 'Lara', 'Laura', 'Leo', 'Lena', 'Liam', 'Lina',
  'Luca', 'Lucia', 'Maja', 'Malik', 'Marco', 'Maria', 'Mateo', 'Maya', 'Mei', 'Mia',
  'Milan', 'Mina', 'Nadia', 'Nia', 'Nico', 'Noah', 'Nora', 'Olga', 'Omar', 'Oscar',
  'Paula', 'Pedro', 'Priya', 'Rafael', 'Ravi', 'Rosa', 'Ruth', 'Sami', 'Sara', 'Sofia',
  'Sven', 'Tara', 'Theo', 'Tomas', 'Uma', 'Vera', 'Victor', 'Yara', 'Yusuf', 'Zoe',
];

export const LAST_NAMES = [
  'Abbott', 'Adler', 'Alvarez', 'Andersen', 'Arnaud', 'Baker', 'Bauer', 'Becker', 'Bennett', 'Berg',
  'Blake', 'Brandt', 'Brooks', 'Campbell', 'Carter', 'Castro', 'Chang', 'Cohen', 'Cruz', 'Dahl',
  'Diaz', 'Dubois', 'Ellis', 'Evans', 'Fischer', 'Fleming', 'Foster', 'Fuchs', 'Garcia', 'Gomez',
  'Graham', 'Gray', 'Hahn', 'Hansen', 'Hart', 'Hayes', 'Holm', 'Hughes', 'Ito', 'Jensen',
  'Kaur', 'Keller', 'Khan', 'Kim', 'Klein', 'Koch', 'Kowalski', 'Lam', 'Lang', 'Larsen',
  'Lee', 'Lopez', 'Lund', 'Marin', 'Martin', 'Meyer', 'Moreau', 'Morris', 'Nagy', 'Nakamura',
  'Novak', 'Olsen', 'Ortiz', 'Park', 'Patel', 'Perez', 'Popescu', 'Quinn', 'Ramos', 'Reyes',
  'Richter', 'Rossi', 'Ruiz', 'Sato', 'Schmidt', 'Silva', 'Singh', 'Sousa', 'Stone', 'Suzuki',
  'Tanaka', 'Torres', 'Varga', 'Vogel', 'Wagner', 'Walsh', 'Weber', 'Wolf', 'Wong', 'Young',
];

export const STREETS = [
  'Acacia', 'Alder', 'Ash', 'Aspen', 'Bay', 'Beech', 'Birch', 'Bridge', 'Brook', 'Castle',
  'Cedar', 'Chapel', 'Cherry', 'Church', 'Cliff', 'Elm', 'Fern', 'Field', 'Forest', 'Garden',
  'Glen', 'Grove', 'Harbor', 'Hazel', 'Heath', 'Hill', 'Holly', 'Juniper', 'Lake', 'Laurel',
  'Linden', 'Maple', 'Meadow', 'Mill', 'Oak', 'Orchard', 'Park', 'Pine', 'Poplar', 'Quarry',
  'River', 'Rose', 'Spruce', 'Station', 'Spring', 'Sunset', 'Valley', 'Willow', 'Windmill', 'Yew',
];

export const STREET_SUFFIXES = ['Street', 'Road', 'Avenue', 'Lane', 'Way', 'Drive', 'Court', 'Place'];

export const CITIES = [
  'Ashford', 'Bayview', 'Brookfield', 'Cedarville', 'Clearwater', 'Fairview', 'Greenfield',
  'Hillcrest', 'Kingsport', 'Lakeside', 'Maplewood', 'Midvale', 'Millbrook', 'Northgate',
  'Oakridge', 'Pinehurst', 'Riverton', 'Rockford', 'Springdale', 'Stonebridge', 'Summerset',
  'Westbrook', 'Whitehaven', 'Woodland',
];

/** Filler for `text`: Latin-like words that carry no meaning. */
export const FILLER_WORDS = [
  'lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit', 'sed', 'do',
  'eiusmod', 'tempor', 'incididunt', 'ut', 'labore', 'et', 'dolore', 'magna', 'aliqua', 'enim',
  'ad', 'minim', 'veniam', 'quis', 'nostrud', 'exercitation', 'ullamco', 'laboris', 'nisi',
  'aliquip', 'ex', 'ea', 'commodo', 'consequat', 'duis', 'aute', 'irure', 'in', 'reprehenderit',
  'voluptate', 'velit', 'esse', 'cillum', 'fugiat', 'nulla', 'pariatur', 'excepteur', 'sint',
  'occaecat', 'cupidatat', 'non', 'proident', 'sunt', 'culpa', 'qui', 'officia', 'deserunt',
  'mollit', 'anim', 'id', 'est', 'laborum',
];
